package main

import (
	"context"
	"fmt"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/iampolicy"
)

func (st *story) verify(ctx context.Context, env *environment) error {
	conn := billingconn.Connection{PayerAccountID: env.payer, Bucket: env.bucket, Prefix: st.opts.prefix}
	switch {
	case env.embedded:
		// The embedded S3 takes any key pair; a real platform would use
		// the role (see -role-arn).
		conn.ReportName = demoReport
		conn.Credentials = billingconn.Credentials{AccessKeyID: env.accessKey, SecretAccessKey: env.secretKey}
	case st.opts.roleARN != "":
		conn.ReportName = st.opts.report
		conn.Credentials = billingconn.Credentials{RoleARN: st.opts.roleARN, ExternalID: st.opts.externalID}
		if a, err := iampolicy.ParseARN(st.opts.roleARN); err == nil {
			conn.PayerAccountID = a.AccountID
		}
	default:
		return nil // nothing to verify with: the caller's own credentials read the bucket below
	}
	st.section("4. Verify the connection, step by step")
	rep, err := billingconn.Verify(ctx, conn, env.clients())
	if err != nil {
		return err
	}
	st.Verify = rep
	tw := st.table()
	fmt.Fprintln(tw, "CHECK\tSTATUS\tDETAIL")
	for _, c := range rep.Checks {
		detail := c.Message
		if c.Status != billingconn.StatusPass && c.Code != "" {
			detail = c.Code + ": " + detail
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.ID, c.Status, shorten(detail, 52))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range rep.Failed() {
		fmt.Fprintf(st.w, "  %s: %s\n", c.ID, c.Remediation)
		st.Problems = append(st.Problems, fmt.Sprintf("verification step %s failed: %s", c.ID, c.Message))
	}
	if env.embedded {
		fmt.Fprintln(st.w, "(The embedded server answers STS GetCallerIdentity only; AssumeRole,")
		fmt.Fprintln(st.w, "Organizations and Cost Explorer need a real account: -bucket, -role-arn.)")
	}
	return nil
}
