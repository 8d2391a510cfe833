module github.com/curconnect/curconnect/internal/cmd/decimalbench

go 1.25

replace github.com/curconnect/curconnect => ../../..

require (
	github.com/cockroachdb/apd/v3 v3.2.3
	github.com/curconnect/curconnect v0.0.0-00010101000000-000000000000
	github.com/shopspring/decimal v1.6.0
)
