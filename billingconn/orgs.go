package billingconn

import (
	"context"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/curconnect/curconnect/iampolicy"
)

// OrganizationsAPI is the part of the AWS Organizations client that
// verification and ListAccounts use. *organizations.Client implements it.
type OrganizationsAPI interface {
	DescribeOrganization(ctx context.Context, params *organizations.DescribeOrganizationInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListAccounts(ctx context.Context, params *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

var _ OrganizationsAPI = (*organizations.Client)(nil)

// Account is one member account of an AWS organization, as ListAccounts
// returns it.
type Account struct {
	// ID is the 12-digit account ID: the value of lineItem/UsageAccountId
	// (legacy CUR) and line_item_usage_account_id (CUR 2.0).
	ID string `json:"id"`
	// ARN is the account's ARN in the organization.
	ARN string `json:"arn,omitempty"`
	// Name is the account's name.
	Name string `json:"name"`
	// Email is the account's root user e-mail address.
	Email string `json:"email,omitempty"`
	// Status is the account's state (ACTIVE, SUSPENDED, PENDING_CLOSURE,
	// CLOSED, …): the State field of newer API versions, else the older
	// Status field.
	Status string `json:"status"`
	// JoinedMethod is INVITED or CREATED.
	JoinedMethod string `json:"joinedMethod,omitempty"`
	// Joined is when the account became a member; zero if unknown.
	Joined time.Time `json:"joined,omitzero"`
}

// Accounts maps account IDs to accounts, so that a reader can join a row's
// lineItem/UsageAccountId (or line_item_usage_account_id) to a name.
type Accounts map[string]Account

// Name returns the name of the account with the given ID, or the ID itself
// when the account is unknown (a closed account's rows keep its ID).
func (a Accounts) Name(id string) string {
	if acc, ok := a[id]; ok && acc.Name != "" {
		return acc.Name
	}
	return id
}

// IDs returns the account IDs in ascending order.
func (a Accounts) IDs() []string {
	ids := make([]string, 0, len(a))
	for id := range a {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Organization is what DescribeOrganization and ListAccounts say about the
// payer's organization.
type Organization struct {
	// ID is the organization ID (o-…).
	ID string `json:"id"`
	// ManagementAccountID is the management (payer) account.
	ManagementAccountID string `json:"managementAccountId"`
	// Accounts are the member accounts, by ID.
	Accounts Accounts `json:"accounts"`
}

// organizationsOpts sends calls to the Organizations endpoint's region
// (us-east-1 in the aws partition) unless the caller's options say
// otherwise.
func organizationsOpts(extra []func(*organizations.Options)) []func(*organizations.Options) {
	return append([]func(*organizations.Options){func(o *organizations.Options) { o.Region = iampolicy.BillingRegion }}, extra...)
}

// ListAccounts lists every account of the caller's organization, following
// every page of organizations:ListAccounts (which only the management
// account, or a delegated administrator, may call), and returns them by
// account ID. Calls go to us-east-1, the Organizations endpoint of the aws
// partition; optFns run after that and may change it.
//
// A failure is an *OpError naming ListAccounts that unwraps to the AWS error
// (errors.As(err, &smithy.APIError)) and its category (errors.Is(err,
// curerr.ErrAccessDenied)). An account outside any organization gets the AWS error
// AWSOrganizationsNotInUseException.
func ListAccounts(ctx context.Context, client OrganizationsAPI, optFns ...func(*organizations.Options)) (Accounts, error) {
	opts := organizationsOpts(optFns)
	p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{},
		func(po *organizations.ListAccountsPaginatorOptions) { po.StopOnDuplicateToken = true })
	out := Accounts{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, opts...)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, opErr("ListAccounts", "", err)
		}
		for _, a := range page.Accounts {
			acc := Account{
				ID: aws.ToString(a.Id), ARN: aws.ToString(a.Arn), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email),
				Status: string(a.State), JoinedMethod: string(a.JoinedMethod), Joined: aws.ToTime(a.JoinedTimestamp).UTC(),
			}
			if acc.Status == "" {
				acc.Status = string(a.Status) // the older field, which State replaces
			}
			if a.JoinedTimestamp == nil {
				acc.Joined = time.Time{}
			}
			if acc.ID != "" {
				out[acc.ID] = acc
			}
		}
	}
	return out, nil
}
