package billingconn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/awserr"
)

func (v *verifier) checkOrganizations(ctx context.Context, r *CheckResult) error {
	c := v.clients.NewOrganizations(v.creds)
	r.Action, r.Resource = "organizations:DescribeOrganization", "*"
	out, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, organizationsOpts(v.o.OrganizationsOptions)...)
	if err != nil {
		if awserr.Code(err) == "AWSOrganizationsNotInUseException" {
			r.Message = "the account is not in an organization: its reports cover its own usage only"
			return nil
		}
		v.orgRemediation(r, err)
		return err
	}
	r.Action = "organizations:ListAccounts"
	accts, err := ListAccounts(ctx, c, v.o.OrganizationsOptions...)
	if err != nil {
		v.orgRemediation(r, err)
		return err
	}
	org := &Organization{Accounts: accts}
	if out.Organization != nil {
		org.ID = aws.ToString(out.Organization.Id)
		org.ManagementAccountID = aws.ToString(out.Organization.MasterAccountId)
	}
	v.rep.Organization = org
	r.Action, r.Resource = "", ""
	if org.ManagementAccountID != "" && org.ManagementAccountID != v.conn.PayerAccountID {
		r.Code = CheckCodePayerMismatch
		r.Message = fmt.Sprintf("the organization %s is managed by account %s, not by the connection's payer account %s", org.ID, org.ManagementAccountID, v.conn.PayerAccountID)
		r.Remediation = "Connect the organization's management account, " + org.ManagementAccountID + ", instead: create the role and the report there. Only the management account sees the costs of every account in the organization."
		r.Hint = "Connection.PayerAccountID is " + v.conn.PayerAccountID + "; DescribeOrganization names " + org.ManagementAccountID + " as the management account."
		return &stepError{err: errors.New("billingconn: payer account mismatch"), resource: org.ID}
	}
	r.Message = fmt.Sprintf("organization %s (management account %s): %s", org.ID, org.ManagementAccountID, plural(len(accts), "account"))
	return nil
}

// orgRemediation explains a denied Organizations call; other failures are
// left to the engine.
func (v *verifier) orgRemediation(r *CheckResult, err error) {
	if !errors.Is(awserr.Classify(err), curerr.ErrAccessDenied) {
		return
	}
	st, rem, hint := v.explainDenied(r.Action, "*", nil)
	r.MissingStatement, r.Hint = st, hint
	r.Remediation = rem + " Organizations answers only the management (payer) account: the role must be in account " + v.conn.PayerAccountID + " and it must be the organization's management account."
}

func (v *verifier) checkCostExplorer(ctx context.Context, r *CheckResult) error {
	c := v.clients.NewCostExplorer(v.creds)
	now := v.o.Now().UTC()
	end := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	start := end.AddDate(0, -1, 0)
	r.Action, r.Resource = "ce:GetReservationUtilization", "*"
	opts := append([]func(*costexplorer.Options){func(o *costexplorer.Options) { o.Region = iampolicy.BillingRegion }}, v.o.CostExplorerOptions...)
	out, err := c.GetReservationUtilization(ctx, &costexplorer.GetReservationUtilizationInput{
		TimePeriod: &cetypes.DateInterval{Start: aws.String(start.Format(time.DateOnly)), End: aws.String(end.Format(time.DateOnly))},
	}, opts...)
	if err != nil {
		var du *cetypes.DataUnavailableException
		if errors.As(err, &du) {
			r.Message = "Cost Explorer answered with no reservation data for " + start.Format("2006-01") + " (the permission works)"
			return nil
		}
		if errors.Is(awserr.Classify(err), curerr.ErrAccessDenied) {
			st, rem, hint := v.explainDenied(r.Action, r.Resource, nil)
			r.MissingStatement, r.Hint = st, hint
			r.Remediation = rem + " Cost Explorer must also be enabled in the payer account (Billing and Cost Management console, Cost Explorer); its data can take 24 hours to appear after it is first enabled."
		}
		return err
	}
	util := ""
	if out.Total != nil && out.Total.UtilizationPercentage != nil {
		util = ", utilization " + aws.ToString(out.Total.UtilizationPercentage) + "%"
	}
	r.Message = fmt.Sprintf("Cost Explorer answered for %s: %s%s", start.Format("2006-01"), plural(len(out.UtilizationsByTime), "period"), util)
	return nil
}

// discoveryAction maps a Discover operation to its IAM action.
func discoveryAction(op string) string {
	switch op {
	case "DescribeReportDefinitions":
		return "cur:DescribeReportDefinitions"
	case "ListExports", "GetExport":
		return "bcm-data-exports:" + op
	}
	return op
}

func (v *verifier) checkDefinition(ctx context.Context, r *CheckResult) error {
	def := v.o.Definition
	if def == nil {
		var firstErr error
		try := func(curc CURAPI, dxc DataExportsAPI) {
			if def != nil || (curc == nil && dxc == nil) {
				return
			}
			cands, err := Discover(ctx, curc, dxc, v.conn, func(o *DiscoverOptions) { o.Profiles = v.profiles })
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			for i := range cands {
				c := cands[i]
				if c.DeliversHere && (v.conn.ReportName == "" || c.NameMatches) {
					d := c.Definition
					def = &d
					return
				}
			}
		}
		var curc CURAPI
		var dxc DataExportsAPI
		if v.clients.NewCUR != nil {
			curc = v.clients.NewCUR(v.creds)
		}
		if v.clients.NewDataExports != nil {
			dxc = v.clients.NewDataExports(v.creds)
		}
		try(curc, nil)
		try(nil, dxc)
		if def == nil && firstErr != nil {
			var oe *OpError
			if errors.As(firstErr, &oe) && errors.Is(firstErr, curerr.ErrAccessDenied) {
				r.Action, r.Resource = discoveryAction(oe.Op), "*"
			}
			return firstErr
		}
		if def == nil {
			r.Code = CheckCodeDefinitionNotFound
			name := "no report definition or export"
			if v.conn.ReportName != "" {
				name = fmt.Sprintf("no report definition or export named %q", v.conn.ReportName)
			}
			r.Message = name + " delivers to s3://" + v.conn.Bucket + "/" + v.conn.Prefix
			r.Remediation = "Create a Cost and Usage Report or a data export that delivers to s3://" + v.conn.Bucket + "/" + v.conn.Prefix +
				", or correct the bucket, prefix and report name you gave the platform."
			r.Hint = "Discover found no definition delivering to the connection's bucket and prefix (Candidate.DeliversHere); " +
				"billingconn.Validate's Fix gives the exact PutReportDefinition or CreateExport input, and examples/validate prints it as an AWS CLI command."
			return &stepError{err: fmt.Errorf("billingconn: %s: %w", r.Message, curerr.ErrNotFound)}
		}
	}
	v.rep.Definition = def
	findings, err := Validate(*def, v.profiles...)
	if err != nil {
		return err
	}
	r.Findings = findings
	names := make([]string, len(v.profiles))
	for i, p := range v.profiles {
		names[i] = p.Name
	}
	var errs []string
	for _, f := range findings {
		if f.Severity == SeverityError {
			errs = append(errs, fmt.Sprintf("%s (%s)", f.Code, f.Field))
		}
	}
	if len(errs) == 0 {
		r.Message = fmt.Sprintf("%q meets %s (%s)", def.Name(), strings.Join(names, ", "), plural(len(findings), "warning"))
		return nil
	}
	for _, f := range findings {
		if f.Severity == SeverityError {
			r.Code = string(f.Code)
			definitionRemediation(r, f)
			break
		}
	}
	r.Message = fmt.Sprintf("%q does not meet %s: %s", def.Name(), strings.Join(names, ", "), strings.Join(errs, ", "))
	return &stepError{err: fmt.Errorf("billingconn: %d error findings: %w", len(errs), curerr.ErrMalformed), resource: def.Name()}
}

// definitionRemediation fills r from the first error finding of the
// report-definition step. The findings themselves name AWS API fields
// (TimeUnit, S3Region): the customer gets what to do, the hint the API.
func definitionRemediation(r *CheckResult, f Finding) {
	if f.Fix == nil {
		r.Remediation = "Your report's settings do not give the platform what it needs, and the platform cannot propose corrected settings for every problem (the findings list each one): change them in the Billing and Cost Management console, under Data Exports."
		r.Hint = "Finding " + string(f.Code) + " (" + f.Field + ") has no Fix: " + sentence(f.Message)
		return
	}
	r.Remediation = "Your report's settings do not give the platform what it needs (the findings list each one): change them in the Billing and Cost Management console, under Data Exports, or let the platform send its corrected settings for you."
	r.Hint = "Apply Finding.Fix: " + string(f.Fix.Action) + " with the exact input it holds (examples/validate prints the AWS CLI command)."
	for _, in := range f.Fix.NeedsInput {
		r.Remediation += " The corrected settings need " + in.Need + ": create or choose it first."
		r.Hint += " The input cannot be sent as it is: set " + in.Path + " (Fix.NeedsInput)."
	}
	if f.Fix.Note != "" {
		r.Hint += " " + sentence(f.Fix.Note)
	}
}
