package testkit

import (
	"syscall"
	"testing"
	"time"
)

// CPUTime returns the CPU time (user + system) this process has used, or
// 0 when the system cannot say.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU adds a "cpu-ns/op" metric to a benchmark: CPU time per
// operation, which, unlike ns/op, does not grow when other processes
// share the machine's cores. Call it first; it reports when the benchmark
// ends.
func ReportCPU(b *testing.B) {
	start := CPUTime()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64(CPUTime()-start)/float64(b.N), "cpu-ns/op")
		}
	})
}
