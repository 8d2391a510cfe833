package iampolicy_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/testutil"
)

// TestTemplatesCreateStacksInMoto creates a stack from every template
// variant (JSON and YAML) in moto_server's CloudFormation, and checks that
// the role (or user) named by the stack's output has exactly the generated
// trust policy, and that the attached managed policy's default version is
// exactly CURReadPolicy's document.
//
// moto's CloudFormation does not implement AWS::S3::BucketPolicy (it skips
// the resource and still completes the stack), so the bucket policy of the
// bucket-policy variants is proven by TestTemplateResolvesToBuilderDocuments
// and cfn-lint only.
// TestHostedTemplateNeedsTheCustomersValues: CloudFormation (moto_server's)
// refuses to create a stack from a hosted template unless the bucket and
// the external ID are given, so no stack can come out with another
// customer's values or none.
func TestHostedTemplateNeedsTheCustomersValues(t *testing.T) {
	m := testutil.StartMoto(t)
	ctx := t.Context()
	cfn, err := m.CloudFormation(ctx)
	require.NoError(t, err)
	tmpl, err := iampolicy.CloudFormationTemplate(iampolicy.TemplateInput{TrustedPrincipal: gAccount, Hosted: true})
	require.NoError(t, err)
	body, err := tmpl.YAML()
	require.NoError(t, err)
	for name, params := range map[string]map[string]string{
		"no-external-id": {iampolicy.ParamBucketName: gBucket},
		"no-bucket":      {iampolicy.ParamExternalID: gExternalID},
	} {
		err := cfn.CreateStackBody(ctx, name, string(body), params)
		var ce *testutil.CFNError
		require.ErrorAs(t, err, &ce, name)
		assert.Equal(t, "ValidationError", ce.Code, "%s: %s", name, ce.Message)
	}
	require.NoError(t, cfn.CreateStackBody(ctx, "complete", string(body), map[string]string{
		iampolicy.ParamBucketName: gBucket, iampolicy.ParamExternalID: gExternalID,
	}))
	stack, err := cfn.WaitStack(ctx, "complete")
	require.NoError(t, err)
	require.Equal(t, "CREATE_COMPLETE", stack.StackStatus, stack.StackStatusReason)
	want, err := iampolicy.RoleARN("", testutil.MotoAccountID, iampolicy.DefaultRoleName)
	require.NoError(t, err)
	assert.Equal(t, want, stack.Output(iampolicy.OutputRoleARN))
}

func TestTemplatesCreateStacksInMoto(t *testing.T) {
	m := testutil.StartMoto(t)
	ctx := t.Context()
	cfg := m.AWSConfig()
	cfn, err := m.CloudFormation(ctx)
	require.NoError(t, err)
	iamc := iam.NewFromConfig(cfg)

	type stackCase struct {
		name   string
		in     iampolicy.TemplateInput
		yaml   bool
		params map[string]string
		// Expected effective values after parameter overrides; an empty
		// iamName means CloudFormation generates the name.
		bucket, prefix, principal, externalID, iamName string
	}
	var cases []stackCase
	for _, tc := range templateCases() {
		if tc.in.Partition != "" && tc.in.Partition != iampolicy.PartitionAWS {
			continue // moto plays the aws partition
		}
		for _, asYAML := range []bool{false, true} {
			format := "json"
			if asYAML {
				format = "yaml"
			}
			name := strings.ReplaceAll(tc.name, "_", "-") + "-" + format
			nameParam := iampolicy.ParamRoleName
			if tc.in.LegacyUser {
				nameParam = iampolicy.ParamUserName
			}
			sc := stackCase{
				name: name, in: tc.in, yaml: asYAML,
				// Each stack needs its own IAM name; passing it also
				// proves that parameter values reach the resources.
				params: map[string]string{nameParam: name},
				bucket: tc.in.Bucket, prefix: tc.in.Prefix, principal: tc.in.TrustedPrincipal, externalID: tc.in.ExternalID, iamName: name,
			}
			if tc.in.Hosted {
				// A hosted template fixes the role name, so each stack's
				// template is written with its own; the customer's bucket
				// and external ID come as parameters, as from a
				// quick-create link.
				sc.in.RoleName = name
				sc.bucket, sc.externalID = "customer-"+format+"-bucket", "customer-"+format+"-external-id"
				sc.params = map[string]string{iampolicy.ParamBucketName: sc.bucket, iampolicy.ParamExternalID: sc.externalID}
			}
			cases = append(cases, sc)
		}
	}
	// Console-style overrides: another bucket, prefix, principal and
	// external ID, and an empty role name that CloudFormation fills in.
	base := templateCases()[0].in
	cases = append(cases, stackCase{
		name: "overrides", in: base,
		params: map[string]string{
			"BucketName": "other-bucket", "ReportPrefix": "billing/cur", "RoleName": "",
			"TrustedPrincipal": "arn:aws:iam::999988887777:role/reader", "ExternalId": "other-external-id",
		},
		bucket: "other-bucket", prefix: "billing/cur", principal: "arn:aws:iam::999988887777:role/reader", externalID: "other-external-id",
	})
	// A prefix typed with a * grants exactly that prefix: the stack writes
	// it as ${*}, as CURReadPolicy does.
	cases = append(cases, stackCase{
		name: "override-prefix-with-star", in: base,
		params: map[string]string{"ReportPrefix": "billing*/cur*", "RoleName": "override-prefix-with-star"},
		bucket: base.Bucket, prefix: "billing*/cur*", principal: base.TrustedPrincipal, externalID: base.ExternalID, iamName: "override-prefix-with-star",
	})

	for _, sc := range cases {
		t.Run(sc.name, func(t *testing.T) {
			tmpl, err := iampolicy.CloudFormationTemplate(sc.in)
			require.NoError(t, err)
			body, err := tmpl.JSON()
			if sc.yaml {
				body, err = tmpl.YAML()
			}
			require.NoError(t, err)
			require.NoError(t, cfn.CreateStackBody(ctx, sc.name, string(body), sc.params))
			stack, err := cfn.WaitStack(ctx, sc.name)
			require.NoError(t, err)
			require.Equal(t, "CREATE_COMPLETE", stack.StackStatus, "reason: %s\nmoto: %s", stack.StackStatusReason, m.Output())

			wantRead, err := iampolicy.CURReadPolicy(sc.bucket, sc.prefix, func(o *iampolicy.ReadPolicyOptions) {
				o.KMSKeyARNs = sc.in.KMSKeyARNs
				o.ReportDefinitions = sc.in.ReportDefinitions
				o.DataExports = sc.in.DataExports
			})
			require.NoError(t, err)
			policyARN := stack.Output(iampolicy.OutputPolicyARN)
			require.NotEmpty(t, policyARN, "output PolicyARN")

			var attached []string
			if sc.in.LegacyUser {
				userARN := stack.Output(iampolicy.OutputUserARN)
				require.NotEmpty(t, userARN, "output UserARN")
				assert.Empty(t, stack.Output(iampolicy.OutputRoleARN))
				userName := userARN[strings.LastIndex(userARN, "/")+1:]
				assert.Equal(t, sc.iamName, userName)
				u, err := iamc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(userName)})
				require.NoError(t, err)
				assert.Equal(t, userARN, aws.ToString(u.User.Arn))
				ap, err := iamc.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(userName)})
				require.NoError(t, err)
				for _, p := range ap.AttachedPolicies {
					attached = append(attached, aws.ToString(p.PolicyArn))
				}
				keys, err := iamc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(userName)})
				require.NoError(t, err)
				assert.Empty(t, keys.AccessKeyMetadata, "the template creates no access key")
			} else {
				roleARN := stack.Output(iampolicy.OutputRoleARN)
				require.NotEmpty(t, roleARN, "output RoleARN")
				if sc.in.Hosted {
					derived, err := iampolicy.RoleARN(iampolicy.PartitionAWS, testutil.MotoAccountID, sc.in.RoleName)
					require.NoError(t, err)
					assert.Equal(t, derived, roleARN, "the platform derives the role's ARN without the stack's output")
				}
				roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
				if sc.iamName != "" {
					assert.Equal(t, sc.iamName, roleName)
				} else {
					assert.NotEqual(t, iampolicy.DefaultRoleName, roleName, "an empty RoleName lets CloudFormation name the role")
				}
				r, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
				require.NoError(t, err)
				assert.Equal(t, roleARN, aws.ToString(r.Role.Arn))
				wantTrust, err := iampolicy.CrossAccountTrust(sc.principal, sc.externalID, func(o *iampolicy.TrustPolicyOptions) {
					o.AllowNoExternalID = sc.in.AllowNoExternalID
				})
				require.NoError(t, err)
				assert.Equal(t, wantTrust, iamDocument(t, r.Role.AssumeRolePolicyDocument))
				ap, err := iamc.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(roleName)})
				require.NoError(t, err)
				for _, p := range ap.AttachedPolicies {
					attached = append(attached, aws.ToString(p.PolicyArn))
				}
			}
			assert.Equal(t, []string{policyARN}, attached, "exactly the template's managed policy is attached")

			pol, err := iamc.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
			require.NoError(t, err)
			ver, err := iamc.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: pol.Policy.DefaultVersionId})
			require.NoError(t, err)
			assert.Equal(t, wantRead, iamDocument(t, ver.PolicyVersion.Document))
		})
	}
}
