package onboard_test

import (
	"context"
	"log"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/curconnect/curconnect/billingconn"
	"github.com/curconnect/curconnect/billingconn/onboard"
)

// A platform mounts the onboarding flow on its own mux, under its own
// path, with its tenant from its own authentication.
func ExampleNew() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx) // the platform's own identity
	if err != nil {
		log.Fatal(err)
	}
	h, err := onboard.New(func(r *http.Request) (string, error) {
		c, err := r.Cookie("session") // stands in for the platform's authentication
		if err != nil {
			return "", onboard.ErrUnauthenticated
		}
		return lookUpTenant(c.Value)
	}, onboard.NewMemoryStore(), billingconn.NewClients(cfg), func(o *onboard.Options) {
		o.Prefix = "/onboarding"
		o.Template.TrustedPrincipal = "451234325714"
		o.TemplateURL = "https://acme-templates.s3.us-east-1.amazonaws.com/curconnect.yaml"
		o.OnConnected = func(ctx context.Context, tenant string, c onboard.Connection) {
			log.Printf("tenant %s: payer account %s is connected", tenant, c.PayerAccountID)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/onboarding/", h)
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", mux))
}

func lookUpTenant(session string) (string, error) { return "acme", nil }
