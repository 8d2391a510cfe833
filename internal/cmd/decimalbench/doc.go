// Package decimalbench compares curconnect's decimal with
// github.com/cockroachdb/apd/v3 and github.com/shopspring/decimal on the
// job the CUR reader gives it: parse a cost column and sum it exactly.
//
// It is a module of its own so that curconnect's go.mod never requires
// either library; go test ./... at the repository root does not enter it.
// Run it from this directory, five passes that each run every contender
// back to back, so that a ratio compares runs made under the same load
// (-count 5 would run one contender five times, then the next):
//
//	for i in 1 2 3 4 5; do go test -run '^$' -bench . -benchtime 1s; done
//
// Each operation parses and sums 2^20 values; compare contenders by the
// ratio of their cpu-ns/op (or ns/op) within a pass. go test without
// -bench checks that every contender's sum equals the one math/big.Rat
// computes.
package decimalbench
