//go:build !unix

package decimalbench

import "time"

// cpuTime is not measured here; BenchmarkSum then reports 0 cpu-ns/op.
func cpuTime() time.Duration { return 0 }
