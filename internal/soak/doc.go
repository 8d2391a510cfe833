// Package soak holds the soak tests of curconnect's readers: generated
// billing deliveries are read through injected faults (faults.Handler in
// front of gofakes3, faults.Proxy in front of versitygw), and every read
// must end with the exact ground-truth total or with a typed
// *curreader.FileError naming the file — never a silent short total.
//
// The package has no API; run it with go test ./internal/soak -v to see
// the counts of faults injected and survived.
package soak
