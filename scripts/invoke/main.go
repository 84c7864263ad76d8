// Command invoke runs the receiver's bootstrap under AWS's own Lambda Runtime
// Interface Emulator, hands it the API Gateway HTTP API (payload 2.0) event that
// would carry a payload, and prints the Lambda response and the function's log
// records: `serverless invoke local`, on the runtime API implementation Lambda uses.
//
//	go run ./scripts/invoke testdata/pipedrive/v2/deal-change.json
//
// The bootstrap is built for this machine from ./lambda/receiver (-tags lambda.norpc, as
// deployed); the emulator is the one pinned in tools/aws-lambda-rie. Basic auth:
// with WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD set, the function requires them
// and the event carries them.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdalocal"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

func main() { cli.Main("invoke", run) }

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s PAYLOAD.json\n\nRuns the bootstrap under the Lambda Runtime Interface Emulator with the API Gateway\nevent that carries PAYLOAD, and prints the response and the log records.\n", args[0])
	}
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.Misuse(fs, stderr, errors.New("give one payload file (EVENT=… with make invoke)"))
	}
	body, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "invoke-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bootstrap := filepath.Join(dir, "bootstrap")
	fmt.Fprintln(stdout, "==> building the bootstrap and the emulator")
	if err := command(ctx, repo.Root(), nil, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrap, "./lambda/receiver").Run(); err != nil {
		return fmt.Errorf("build the bootstrap: %w", err)
	}
	var rie bytes.Buffer
	find := command(ctx, repo.Root(), nil, "go", "tool", "-n", "-modfile=tools/aws-lambda-rie/go.mod", "aws-lambda-rie")
	find.Stdout = &rie
	if err := find.Run(); err != nil {
		return fmt.Errorf("build the emulator: %w", err)
	}
	apiAddr, rapidAddr := freeAddr(), freeAddr()
	if apiAddr == "" || rapidAddr == "" {
		return errors.New("no free local port")
	}
	logs := &lines{}
	env := append(os.Environ(), "AWS_LAMBDA_FUNCTION_TIMEOUT=9", "AWS_LAMBDA_FUNCTION_NAME=pipedrive-webhooks-local")
	emu := command(ctx, dir, env, strings.TrimSpace(rie.String()),
		"--runtime-interface-emulator-address", apiAddr, "--runtime-api-address", rapidAddr, bootstrap)
	emu.Stdout, emu.Stderr = logs, logs
	if err := emu.Start(); err != nil {
		return fmt.Errorf("start the emulator: %w", err)
	}
	defer func() { _ = emu.Process.Kill(); _ = emu.Wait() }()

	auth := ""
	if user, pw := getenv("WEBHOOK_AUTH_USER"), getenv("WEBHOOK_AUTH_PASSWORD"); user != "" || pw != "" {
		r, _ := http.NewRequest(http.MethodPost, "/", nil)
		r.SetBasicAuth(user, pw)
		auth = r.Header.Get("Authorization")
	}
	event, err := lambdalocal.GatewayEvent(body, auth, false)
	if err != nil {
		return err
	}
	payload, _ := json.Marshal(event)
	resp, err := invoke(ctx, "http://"+apiAddr+"/2015-03-31/functions/function/invocations", payload)
	if err != nil {
		return fmt.Errorf("%w\nemulator output:\n%s", err, logs)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, resp, "", "  ") != nil {
		pretty.Write(resp)
	}
	fmt.Fprintf(stdout, "==> response\n%s\n==> log records\n", pretty.String())
	time.Sleep(200 * time.Millisecond) // the records cross a pipe; let the last one arrive
	for _, line := range logs.all() {
		if strings.HasPrefix(line, "{") {
			fmt.Fprintln(stdout, line)
		}
	}
	return nil
}

// invoke posts the event to the emulator, which starts the function on the first
// invocation; it waits for the emulator to listen.
func invoke(ctx context.Context, url string, event []byte) ([]byte, error) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			defer resp.Body.Close()
			out, err := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("the emulator answered %s: %s", resp.Status, out)
			}
			return out, err
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("the emulator does not answer: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func command(ctx context.Context, dir string, env []string, name string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, name, args...)
	c.Dir, c.Env, c.Stderr = dir, env, os.Stderr
	return c
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ""
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lines collects a process's output, line by line.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *lines) all() []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
