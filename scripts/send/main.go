// Command send posts Pipedrive webhook payloads to a running receiver, as Pipedrive
// would, and prints each answer: the local loop's way to try the receiver.
//
//	go run ./scripts/send                                  # every fixture in testdata/pipedrive
//	go run ./scripts/send testdata/pipedrive/v2/deal-change.json
//	go run ./scripts/send -url http://127.0.0.1:9000/webhooks/pipedrive some.json
//
// Basic auth comes from WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD when they are
// set (the same variables make run reads), never from a flag.
package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
)

func main() { cli.Main("send", run) }

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	url := fs.String("url", "http://"+cmp.Or(getenv("LISTEN_ADDR"), "127.0.0.1:8080")+receiver.WebhookPath, "the receiver's webhook `URL`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [-url URL] [FILE.json | DIR ...]\n\nPosts each payload (default: testdata/pipedrive) and prints the answers.\nBasic auth from WEBHOOK_AUTH_USER and WEBHOOK_AUTH_PASSWORD, when set.\n\nFlags:\n", args[0])
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	files, err := payloads(fs.Args())
	if err != nil {
		return err
	}
	user, password := getenv("WEBHOOK_AUTH_USER"), getenv("WEBHOOK_AUTH_PASSWORD")
	client := &http.Client{Timeout: 10 * time.Second} // Pipedrive's own timeout
	failed := 0
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, *url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Pipedrive Webhooks (pipedrive-webhooks send)")
		if user != "" || password != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("%s: %w (is the receiver running? make run)", f, err)
		}
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		_ = resp.Body.Close()
		fmt.Fprintf(stdout, "%s  %d %s\n", f, resp.StatusCode, strings.TrimSpace(string(answer)))
		if resp.StatusCode != http.StatusOK {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d answered other than 200", failed, len(files))
	}
	return nil
}

// payloads lists the JSON files named, folders searched recursively; none named
// means testdata/pipedrive.
func payloads(args []string) ([]string, error) {
	if len(args) == 0 {
		args = []string{filepath.Join("testdata", "pipedrive")}
	}
	var files []string
	for _, a := range args {
		info, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") && !strings.Contains(p, "openapi") {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(files)
	if len(files) == 0 {
		return nil, errors.New("no .json payloads found")
	}
	return files, nil
}
