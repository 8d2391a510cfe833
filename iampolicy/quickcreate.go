package iampolicy

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/internal/hostcheck"
)

var (
	cfnRegionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	cfnStackNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)
	cfnParamNameRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

// Limits QuickCreateURL enforces, as CloudFormation does.
const (
	maxStackName      = 128
	maxTemplateURL    = 5120
	maxParamName      = 255
	maxParamValueSize = 4096
)

// RegionPartition returns the partition of a region name: aws-cn for cn-*,
// aws-us-gov for us-gov-*, aws otherwise. It returns a [*curerr.FieldError] for a
// string that is not shaped like a region, and for the isolated partitions
// (us-iso*), which this package does not write documents for.
func RegionPartition(region string) (string, error) {
	if !cfnRegionRE.MatchString(region) {
		return "", fieldErr("region", "%q is not an AWS region name (e.g. us-east-1)", region)
	}
	switch {
	case strings.HasPrefix(region, "cn-"):
		return PartitionChina, nil
	case strings.HasPrefix(region, "us-gov-"):
		return PartitionGovCloud, nil
	case strings.HasPrefix(region, "us-iso"):
		return "", fieldErr("region", "%q is in an isolated partition, which is not supported", region)
	}
	return PartitionAWS, nil
}

// consoleBase returns the CloudFormation console URL for region.
func consoleBase(region, partition string) string {
	switch partition {
	case PartitionChina:
		return "https://console.amazonaws.cn/cloudformation/home?region=" + region
	case PartitionGovCloud:
		return "https://console.amazonaws-us-gov.com/cloudformation/home?region=" + region
	}
	return "https://" + region + ".console.aws.amazon.com/cloudformation/home?region=" + region
}

// QuickCreateURL returns a CloudFormation console quick-create link: a
// customer who opens it while signed in to the console sees the "Quick
// create stack" page with the template from templateURL, the stack name
// and the parameter values filled in, and creates the stack with one click
// (after acknowledging the IAM capabilities):
//
//	https://<region>.console.aws.amazon.com/cloudformation/home?region=<region>#/stacks/quickcreate?templateURL=…&stackName=…&param_<Name>=…
//
// The console host follows the region's partition: console.amazonaws.cn
// for cn-* regions, console.amazonaws-us-gov.com for us-gov-* regions.
//
// templateURL must be an https URL; CloudFormation only loads templates from
// S3 (https://<bucket>.s3.<region>.amazonaws.com/<key> and similar), so
// host the template there. A plain http URL is accepted on a loopback host
// only (localhost, 127.0.0.0/8, [::1]): a local demo or test that serves the
// template itself can still show a complete link, which the console cannot
// follow. stackName may be empty (the console then asks for
// one); otherwise it must match [a-zA-Z][-a-zA-Z0-9]* and be at most 128
// characters. params maps template parameter names to values and becomes
// param_<Name>=<value>, in sorted order so the link is deterministic;
// parameters left out keep the template's defaults. Every value is
// percent-encoded. All invalid inputs are reported at once as joined
// [*curerr.FieldError] values naming the field ("region", "templateURL",
// "stackName", "params[Name]").
//
// # The quick-create flow
//
// A platform hosts one template for every customer and hands each customer
// a link with that customer's values:
//
//  1. Once: write the template with [CloudFormationTemplate] and
//     [TemplateInput.Hosted] (TrustedPrincipal is the platform's) and upload
//     its YAML to S3. Its BucketName and ExternalId parameters have no
//     default, and its RoleName is fixed.
//  2. Per customer: make an external ID with [NewExternalID], store it
//     with the connection, and call QuickCreateURL with
//     params[ParamExternalID] set to it and, when the platform knows them,
//     params[ParamBucketName] and params[ParamReportPrefix]. What the link
//     leaves out, the customer fills in on the quick-create page;
//     CloudFormation refuses to create the stack without BucketName or
//     ExternalId.
//  3. Once the stack exists, [RoleARN] gives the role's ARN from the
//     partition, the customer's account and [DefaultRoleName] (or the
//     TemplateInput.RoleName the template was written with): the platform
//     assumes the role with the external ID without asking the customer
//     to copy the stack's RoleARN output.
//
// A template written for one customer (Hosted unset) defaults every
// parameter to that customer's values instead, so its link needs no
// params; [Template.ParameterDefaults] gives them when a link should show
// them anyway.
//
// The link carries exactly the parameters in params, and nothing else.
// Passing param_ExternalId is acceptable: in IAM's model the external ID is
// not a secret (it guards against the confused-deputy problem, and the
// customer can read it in the role's trust policy), and the template marks
// the parameter NoEcho so the console masks it after creation. Do remember
// that a link ends up in browser history, chat logs and e-mail: write a
// template per customer, with the external ID as its default, when that
// matters.
func QuickCreateURL(region, templateURL, stackName string, params map[string]string) (string, error) {
	var errs []*curerr.FieldError
	partition, err := RegionPartition(region)
	if err != nil {
		errs = append(errs, err.(*curerr.FieldError))
	}
	if fe := validateTemplateURL(templateURL); fe != nil {
		errs = append(errs, fe)
	}
	if stackName != "" {
		switch {
		case len(stackName) > maxStackName:
			errs = append(errs, fieldErr("stackName", "is %d characters, over CloudFormation's limit of %d", len(stackName), maxStackName))
		case !cfnStackNameRE.MatchString(stackName):
			errs = append(errs, fieldErr("stackName", "%q must start with a letter and hold only letters, digits and hyphens", stackName))
		}
	}
	names := sortedKeys(params)
	for _, name := range names {
		field := "params[" + name + "]"
		if len(name) > maxParamName || !cfnParamNameRE.MatchString(name) {
			if err := checkPrintable("params", name); err != nil {
				errs = append(errs, err.(*curerr.FieldError))
			} else {
				errs = append(errs, fieldErr(field, "%q is not a template parameter name (1 to 255 letters and digits)", name))
			}
			continue
		}
		v := params[name]
		if len(v) > maxParamValueSize {
			errs = append(errs, fieldErr(field, "value is %d bytes, over CloudFormation's limit of %d", len(v), maxParamValueSize))
		} else if err := checkPrintable(field, v); err != nil {
			errs = append(errs, err.(*curerr.FieldError))
		}
	}
	if err := joinFieldErrors(errs); err != nil {
		return "", err
	}

	var b strings.Builder
	b.WriteString(consoleBase(region, partition))
	b.WriteString("#/stacks/quickcreate?templateURL=")
	b.WriteString(fragmentEscape(templateURL))
	if stackName != "" {
		b.WriteString("&stackName=")
		b.WriteString(fragmentEscape(stackName))
	}
	for _, name := range names {
		b.WriteString("&param_")
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(fragmentEscape(params[name]))
	}
	return b.String(), nil
}

func validateTemplateURL(s string) *curerr.FieldError {
	if s == "" {
		return fieldErr("templateURL", "is required: the https URL where the template is hosted (an S3 object URL)")
	}
	if err := checkPrintable("templateURL", s); err != nil {
		return err.(*curerr.FieldError)
	}
	if len(s) > maxTemplateURL {
		return fieldErr("templateURL", "is %d characters, over CloudFormation's limit of %d", len(s), maxTemplateURL)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fieldErr("templateURL", "%q is not a URL", s)
	case u.Scheme != "https" && (u.Scheme != "http" || !hostcheck.Loopback(u.Hostname())):
		return fieldErr("templateURL", "%q must be an https URL", s)
	case u.Host == "" || u.Hostname() == "":
		return fieldErr("templateURL", "%q has no host", s)
	case u.User != nil:
		return fieldErr("templateURL", "%q must not carry credentials", s)
	}
	return nil
}

// fragmentEscape percent-encodes s for a query value inside the URL
// fragment, with %20 for spaces (the console does not read "+" as a space).
func fragmentEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
