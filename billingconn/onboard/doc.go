// Package onboard is the "connect your AWS account" page a cost platform
// mounts: an http.Handler that walks a customer through connecting a payer
// account, with a JSON API beside it, and the Store its connections live in.
package onboard
