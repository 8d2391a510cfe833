package billingconn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curconnect/curconnect/curreader/curerr"
	"github.com/curconnect/curconnect/iampolicy"
	"github.com/curconnect/curconnect/internal/awserr"
)

func (v *verifier) checkCredentials(ctx context.Context, r *CheckResult) error {
	var p aws.CredentialsProvider
	if v.conn.Credentials.Kind() == CredentialsAccessKey {
		p = credentials.NewStaticCredentialsProvider(v.conn.Credentials.AccessKeyID, v.conn.Credentials.SecretAccessKey, "")
	} else {
		p = v.clients.Credentials
		if p == nil {
			r.Code = CheckCodeNoCredentials
			r.Message = "the platform has no AWS credentials to call sts:AssumeRole with"
			r.Remediation = "Configure the platform's own AWS credentials (environment variables, shared config or SSO, or an instance or task role) and pass them in Clients.Credentials (NewClients takes them from the aws.Config)."
			return errors.New("billingconn: no credentials")
		}
		c, err := p.Retrieve(ctx)
		if err != nil {
			r.Code = CheckCodeNoCredentials
			r.Message = "the platform's AWS credentials cannot be resolved: " + err.Error()
			r.Remediation = "Configure the platform's own AWS credentials (environment variables, shared config or SSO, or an instance or task role)."
			return err
		}
		v.secrets = append(v.secrets, c.SecretAccessKey, c.SessionToken)
		v.buildRedactor()
	}
	out, err := v.clients.NewSTS(p).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if v.conn.Credentials.Kind() == CredentialsAccessKey {
			r.Message = "STS refused the connection's access key pair: " + awsMessage(err)
			r.Remediation = "Check that the access key is active (IAM console, the user's Security credentials) and that the secret access key is the one AWS showed when the key was created; rotate the key if in doubt. Prefer a role with an external ID: access keys are long-lived secrets."
		} else {
			r.Message = "STS refused the platform's own credentials: " + awsMessage(err)
			r.Remediation = "The platform's AWS credentials are invalid or expired: renew them (the connection's role is assumed with them)."
		}
		return err
	}
	v.caller = aws.ToString(out.Arn)
	v.rep.Caller = v.caller
	r.Message = "the platform calls AWS as " + v.caller
	if v.conn.Credentials.Kind() == CredentialsAccessKey {
		v.creds = p
		r.Message = "the connection's access key belongs to " + v.caller
		if a, err := iampolicy.ParseARN(v.caller); err == nil {
			v.partition = a.Partition
		}
	}
	return nil
}

// trustPrincipal is what the trust policy should name for the caller: the
// user or role ARN, or the account for an assumed-role session (whose role
// path STS does not give).
func trustPrincipal(caller string) string {
	a, err := iampolicy.ParseARN(caller)
	if err != nil {
		return caller
	}
	if a.Service == "iam" && (strings.HasPrefix(a.Resource, "user/") || strings.HasPrefix(a.Resource, "role/")) {
		return caller
	}
	return a.AccountID
}

func (v *verifier) checkAssumeRole(ctx context.Context, r *CheckResult) error {
	role := v.conn.Credentials.RoleARN
	r.Action, r.Resource = "sts:AssumeRole", role
	prov := stscreds.NewAssumeRoleProvider(v.clients.NewSTS(v.clients.Credentials), role, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String(v.conn.Credentials.ExternalID)
		o.RoleSessionName = v.o.RoleSessionName
	})
	c, err := prov.Retrieve(ctx) // now, not lazily: a trust failure must not hide in a later S3 error
	if err != nil {
		if !errors.Is(awserr.Classify(err), curerr.ErrAccessDenied) {
			r.Message = "sts:AssumeRole failed: " + awsMessage(err)
			return &stepError{err: err, resource: role}
		}
		r.Message = "STS refused AssumeRole on " + role + " with the external ID. STS gives this one AccessDenied for three causes and does not say which: the role does not exist, its trust policy does not trust " + v.caller + ", or the external ID does not match."
		var st *iampolicy.Statement
		trust, terr := iampolicy.CrossAccountTrust(trustPrincipal(v.caller), v.conn.Credentials.ExternalID)
		if terr == nil && len(trust.Statement) > 0 {
			s := trust.Statement[0]
			// Show the statement without the external ID's value.
			for op, kv := range s.Condition {
				for k := range kv {
					if strings.EqualFold(k, "sts:ExternalId") {
						s.Condition = iampolicy.Condition{op: {k: iampolicy.Strings{redacted}}}
					}
				}
			}
			st = &s
		}
		rem := "Check, in account " + accountOf(role) + ", that the role " + role + " exists; that its trust policy allows " + v.caller + " to call sts:AssumeRole"
		if st != nil {
			rem += " (statement " + fmt.Sprintf("%q", st.Sid) + " of iampolicy.CrossAccountTrust: " + statementJSON(*st) + ", with the external ID the platform gave, shown here as REDACTED)"
		}
		rem += "; and that the external ID in the trust policy is exactly the one the platform stores. A role created a moment ago may not have propagated yet: retry (VerifyOptions.PropagationWait)."
		r.Remediation = rem
		r.MissingStatement = st
		return &stepError{err: err, sentinel: ErrAssumeRoleDenied, resource: role}
	}
	v.secrets = append(v.secrets, c.SecretAccessKey, c.SessionToken, c.AccessKeyID)
	v.buildRedactor()
	v.creds = credentials.StaticCredentialsProvider{Value: c}
	r.Message = "assumed " + role + " with the external ID"
	if !c.Expires.IsZero() {
		r.Message += fmt.Sprintf(" (session valid until %s)", c.Expires.UTC().Format(time.RFC3339))
	}
	return nil
}

func accountOf(arn string) string {
	if a, err := iampolicy.ParseARN(arn); err == nil {
		return a.AccountID
	}
	return "?"
}
