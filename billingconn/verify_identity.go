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

// noPlatformCredentials is the remediation when the platform itself cannot
// call AWS.
const noPlatformCredentials = "The platform has no working AWS credentials to check your connection with. " + notYours + ": contact the platform's support."

func (v *verifier) checkCredentials(ctx context.Context, r *CheckResult) error {
	var p aws.CredentialsProvider
	if v.conn.Credentials.Kind() == CredentialsAccessKey {
		p = credentials.NewStaticCredentialsProvider(v.conn.Credentials.AccessKeyID, v.conn.Credentials.SecretAccessKey, "")
	} else {
		p = v.clients.Credentials
		if p == nil {
			r.Code = CheckCodeNoCredentials
			r.Message = "the platform has no AWS credentials to call sts:AssumeRole with"
			r.Remediation = noPlatformCredentials
			r.Hint = "Configure the platform's own AWS credentials (environment variables, shared config or SSO, or an instance or task role) and pass them in Clients.Credentials (NewClients takes them from the aws.Config)."
			return errors.New("billingconn: no credentials")
		}
		c, err := p.Retrieve(ctx)
		if err != nil {
			r.Code = CheckCodeNoCredentials
			r.Message = "the platform's AWS credentials cannot be resolved: " + err.Error()
			r.Remediation = noPlatformCredentials
			r.Hint = "Clients.Credentials.Retrieve failed: configure the platform's own AWS credentials (environment variables, shared config or SSO, or an instance or task role)."
			return err
		}
		v.secrets = append(v.secrets, c.SecretAccessKey, c.SessionToken)
		v.buildRedactor()
	}
	out, err := v.clients.NewSTS(p).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		// GetCallerIdentity needs no permission: AWS answers it even
		// under an explicit Deny. So a refusal, however it is coded
		// (moto's STS answers a wrong secret with a 403 the SDK reads as
		// UnknownError), means the credentials were not authenticated.
		if awserr.Category(err) == curerr.ErrAccessDenied {
			err = &awserr.ClassifiedError{Category: curerr.ErrSignature, Err: err}
		}
		r.Message = "sts:GetCallerIdentity failed: " + awsMessage(err)
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
		r.Remediation = "Check, in account " + accountOf(role) + ", that the role " + role + " exists; that its trust policy allows " + v.caller +
			" to call sts:AssumeRole when sts:ExternalId equals the external ID the platform gave you; and that the external ID there is exactly that one, with nothing added or missing." +
			propagationAdvice
		hint := "STS answers the same AccessDenied for a missing role, an untrusted caller and a wrong external ID."
		if st != nil {
			hint = fmt.Sprintf("Statement %q of iampolicy.CrossAccountTrust: %s (the external ID shown as REDACTED). ", st.Sid, statementJSON(*st)) + hint
		}
		r.Hint = hint + propagationHint
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
