// Package decimalbench compares curconnect's decimal with
// github.com/cockroachdb/apd/v3 and github.com/shopspring/decimal on the
// job the CUR reader gives it: parse a cost column and sum it exactly.
//
// It is a module of its own so that curconnect's go.mod never requires
// either library; go test ./... at the repository root does not enter it.
// Run it from this directory:
//
//	go test -run '^$' -bench . -benchtime 1s -count 5
//
// and go test (no -bench) checks that every contender's sum equals the one
// math/big.Rat computes.
package decimalbench
