// Command bench measures the receiver against baselines measured in the same run
// (the machines are noisy, ratios less so) and checks the budgets:
//
//	adapter_overhead_ratio  Lambda path / json.Unmarshal into map[string]any  <= 3.0
//	local_rps_ratio         local server / bare net/http handler, c=32        >= 0.6, no errors
//	cold_start_ratio        bootstrap / minimal aws-lambda-go binary           <= 1.5
//	zip_bytes               linux/arm64 deployment zip                         <= 4 MiB
//
// It prints benchstat-friendly benchmark lines, then one `name: value` line per
// figure, and exits 1 when a budget is broken. Run it with `make bench`.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdatest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets/ssmtest"
	"github.com/dissertation-editor/pipedrive-webhooks/scripts/bench/perf"
)

func main() {
	if err := run(os.Args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type report struct {
	w      io.Writer
	broken []string
}

func (r *report) figure(name string, format string, v any) {
	fmt.Fprintf(r.w, "%s: "+format+"\n", name, v)
}

func (r *report) budget(name string, ok bool, rule string) {
	if !ok {
		r.broken = append(r.broken, name+" "+rule)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	duration := fs.Duration("rps-duration", 2*time.Second, "how long each of the six load runs lasts")
	coldRuns := fs.Int("cold-runs", 20, "cold starts measured per binary")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	root := repo.Root()
	r := &report{w: stdout}
	fmt.Fprintf(stdout, "goos: %s\ngoarch: %s\ncpus: %d\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())

	if err := inProcess(r); err != nil {
		return err
	}
	if err := localRPS(r, *duration); err != nil {
		return err
	}
	if err := heapPerEvent(r); err != nil {
		return err
	}
	if err := coldStart(r, root, *coldRuns); err != nil {
		return err
	}
	if err := sizes(r, root); err != nil {
		return err
	}
	if len(r.broken) > 0 {
		return fmt.Errorf("budget broken: %v", r.broken)
	}
	fmt.Fprintln(stdout, "all budgets met")
	return nil
}

func benchLine(w io.Writer, name string, res testing.BenchmarkResult) {
	fmt.Fprintf(w, "Benchmark%s-%d\t%d\t%d ns/op\t%d B/op\t%d allocs/op\n",
		name, runtime.GOMAXPROCS(0), res.N, res.NsPerOp(), res.AllocedBytesPerOp(), res.AllocsPerOp())
}

// inProcess: the Lambda path against json.Unmarshal, each the median of 5 runs.
func inProcess(r *report) error {
	median := func(f func(*testing.B)) testing.BenchmarkResult {
		var runs []testing.BenchmarkResult
		for range 5 {
			runs = append(runs, testing.Benchmark(f))
		}
		slices.SortFunc(runs, func(a, b testing.BenchmarkResult) int { return int(a.NsPerOp() - b.NsPerOp()) })
		return runs[len(runs)/2]
	}
	path, base := median(perf.LambdaPath), median(perf.UnmarshalBaseline)
	if path.N == 0 || base.N == 0 {
		return errors.New("a benchmark failed to run")
	}
	benchLine(r.w, "LambdaPath", path)
	benchLine(r.w, "UnmarshalBaseline", base)
	ratio := float64(path.NsPerOp()) / float64(base.NsPerOp())
	r.figure("lambda_path_ns_per_op", "%d", path.NsPerOp())
	r.figure("lambda_path_allocs_per_op", "%d", path.AllocsPerOp())
	r.figure("unmarshal_baseline_ns_per_op", "%d", base.NsPerOp())
	r.figure("unmarshal_baseline_allocs_per_op", "%d", base.AllocsPerOp())
	r.figure("adapter_overhead_ratio", "%.2f", ratio)
	r.budget("adapter_overhead_ratio", ratio <= 3.0, "<= 3.0")
	return nil
}

// localRPS loads the local server and a bare handler that returns the same body with
// the same client: loopback, 32 concurrent clients, a bounded duration each, twice
// each in alternation.
func localRPS(r *report, d time.Duration) error {
	body, err := perf.Body()
	if err != nil {
		return err
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"received":true}` + "\n"))
	})
	// Three rounds, each loading both servers in turn; the figures are the rounds'
	// medians, which a passing hiccup of the machine does not move.
	var ours, bares, ratios []float64
	var errs int64
	for range 3 {
		var rate [2]float64
		for i, h := range []http.Handler{perf.Handler(), bare} {
			rps, e, err := load(h, body, 32, d)
			if err != nil {
				return err
			}
			rate[i], errs = rps, errs+e
		}
		ours, bares, ratios = append(ours, rate[0]), append(bares, rate[1]), append(ratios, rate[0]/rate[1])
	}
	rates := [2]float64{medianOf(ours), medianOf(bares)}
	ratio := medianOf(ratios)
	r.figure("local_rps", "%.0f", rates[0])
	r.figure("bare_rps", "%.0f", rates[1])
	r.figure("local_errors", "%d", errs)
	r.figure("local_rps_ratio", "%.2f", ratio)
	r.budget("local_rps_ratio", ratio >= 0.6, ">= 0.6")
	r.budget("local_errors", errs == 0, "== 0")
	return nil
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func load(h http.Handler, body []byte, clients int, d time.Duration) (float64, int64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/webhooks/pipedrive"
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	auth := perf.Authorization()
	var ok, failed atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Authorization", auth)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(ok.Load()) / d.Seconds(), failed.Load(), nil
}

// heapPerEvent: bytes allocated per event on the Lambda path, and the live heap's
// growth per event (should be ~0: nothing is kept), after a warm-up.
func heapPerEvent(r *report) error {
	ev, err := perf.LambdaEvent()
	if err != nil {
		return err
	}
	adapter := httpadapter.NewV2(perf.Handler())
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "bench"})
	const warm, n = 2000, 20000
	for range warm {
		if _, err := adapter.ProxyWithContext(ctx, ev); err != nil {
			return err
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		if _, err := adapter.ProxyWithContext(ctx, ev); err != nil {
			return err
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	r.figure("heap_per_event_bytes", "%d", (after.TotalAlloc-before.TotalAlloc)/n)
	r.figure("live_heap_growth_per_event_bytes", "%d", (int64(after.HeapAlloc)-int64(before.HeapAlloc))/n)
	return nil
}

// coldStart: exec to the first Runtime API `next`, median of runs, for the built
// bootstrap and for a minimal aws-lambda-go binary built the same way, alternated.
// The bootstrap is given an SSM parameter to prove the secret is not on that path.
func coldStart(r *report, root string, runs int) error {
	dir, err := os.MkdirTemp("", "bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bootstrap, minimal := filepath.Join(dir, "bootstrap"), filepath.Join(dir, "minimal")
	for bin, pkg := range map[string]string{bootstrap: "./lambda", minimal: "./scripts/bench/minimal"} {
		if err := build(root, bin, pkg, runtime.GOARCH); err != nil {
			return err
		}
	}
	ssm := ssmtest.NewServer(map[string]string{"/bench/webhook-auth": "pipedrive:benchmark-password"})
	defer ssm.Close()
	env := []string{"AWS_LAMBDA_FUNCTION_NAME=bench", "WEBHOOK_AUTH_PARAMETER=/bench/webhook-auth"}
	for k, v := range ssm.Env() {
		env = append(env, k+"="+v)
	}
	var ours, theirs []time.Duration
	for range runs {
		for _, b := range []struct {
			bin string
			out *[]time.Duration
		}{{bootstrap, &ours}, {minimal, &theirs}} {
			d, err := startOnce(b.bin, env)
			if err != nil {
				return err
			}
			*b.out = append(*b.out, d)
		}
	}
	if ssm.Calls() != 0 {
		return fmt.Errorf("the bootstrap read SSM %d times before its first invocation: secrets must stay off the cold start", ssm.Calls())
	}
	m, base := median(ours), median(theirs)
	ratio := float64(m) / float64(base)
	r.figure("cold_start_ms", "%.2f", float64(m)/1e6)
	r.figure("minimal_cold_start_ms", "%.2f", float64(base)/1e6)
	r.figure("cold_start_ratio", "%.2f", ratio)
	r.budget("cold_start_ratio", ratio <= 1.5, "<= 1.5")
	return nil
}

func startOnce(bin string, env []string) (time.Duration, error) {
	rt := lambdatest.NewRuntime()
	defer rt.Close()
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + rt.Addr(), "HOME=" + os.TempDir()}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	select {
	case <-rt.FirstNext:
		return time.Since(start), nil
	case <-time.After(10 * time.Second):
		return 0, fmt.Errorf("%s never asked for an invocation:\n%s", bin, out.String())
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// build builds a Lambda binary the way `make build` does.
func build(root, out, pkg, arch string) error {
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// sizes: the linux/arm64 bootstrap and its deployment zip, as `make build` makes them.
func sizes(r *report, root string) error {
	dir, err := os.MkdirTemp("", "bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, zip := filepath.Join(dir, "bootstrap"), filepath.Join(dir, "receiver.zip")
	if err := build(root, bin, "./lambda", "arm64"); err != nil {
		return err
	}
	cmd := exec.Command("go", "run", "./scripts/lambda-zip", "-o", zip, bin)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("lambda-zip: %w\n%s", err, b)
	}
	bi, err := os.Stat(bin)
	if err != nil {
		return err
	}
	zi, err := os.Stat(zip)
	if err != nil {
		return err
	}
	r.figure("bootstrap_bytes", "%d", bi.Size())
	r.figure("zip_bytes", "%d", zi.Size())
	r.budget("zip_bytes", zi.Size() <= 4<<20, "<= 4 MiB")
	return nil
}
