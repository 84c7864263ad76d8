package perf

import "testing"

func BenchmarkLambdaPath(b *testing.B)        { LambdaPath(b) }
func BenchmarkUnmarshalBaseline(b *testing.B) { UnmarshalBaseline(b) }

// TestBenchmarksRun keeps the benchmark code working between bench runs.
func TestBenchmarksRun(t *testing.T) {
	for name, f := range map[string]func(*testing.B){"LambdaPath": LambdaPath, "UnmarshalBaseline": UnmarshalBaseline} {
		if r := testing.Benchmark(f); r.N == 0 || r.NsPerOp() <= 0 {
			t.Errorf("%s did not run: %+v", name, r)
		}
	}
}
