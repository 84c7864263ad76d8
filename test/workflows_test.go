package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

var usesLine = regexp.MustCompile(`^\s*(?:-\s*)?uses:\s*(\S+)`)

// Every third-party action runs at a commit, not a tag that can move.
func TestWorkflowActionsArePinnedBySHA(t *testing.T) {
	files, _ := filepath.Glob(repo.Path(".github", "workflows", "*.yml"))
	if len(files) == 0 {
		t.Fatal("no workflows")
	}
	pinned := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			if m := usesLine.FindStringSubmatch(line); m != nil && !strings.HasPrefix(m[1], "./") && !pinned.MatchString(m[1]) {
				t.Errorf("%s:%d: %s is not pinned to a commit SHA", filepath.Base(f), i+1, m[1])
			}
		}
	}
}

// The e2e job runs only from main, gives go test less time than itself, and
// destroys whatever a failed, cancelled or timed-out run left.
func TestE2EWorkflowCleansUp(t *testing.T) {
	raw, err := os.ReadFile(repo.Path(".github", "workflows", "e2e.yml"))
	if err != nil {
		t.Fatal(err)
	}
	wf := string(raw)
	for _, want := range []string{
		"github.ref == 'refs/heads/main'",
		"if: always()",
		"SKIP_deploy=true SKIP_validate=true make e2e",
	} {
		if !strings.Contains(wf, want) {
			t.Errorf("e2e.yml lacks %q", want)
		}
	}
	job := regexp.MustCompile(`timeout-minutes:\s*(\d+)`).FindStringSubmatch(wf)
	mk, _ := os.ReadFile(repo.Path("Makefile"))
	goTimeout := regexp.MustCompile(`-tags e2e .*-timeout (\d+)m`).FindStringSubmatch(string(mk))
	if job == nil || goTimeout == nil || atoi(goTimeout[1])+20 > atoi(job[1]) {
		t.Errorf("the job's timeout (%v) must leave the cleanup 20 minutes beyond go test's -timeout (%v)", job, goTimeout)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// The e2e job's AWS session outlives the job: configure-aws-credentials asks for
// one hour by default, less than the tests plus the cleanup destroy, so a failed
// run's cleanup would end in ExpiredToken and leave the stack. It asks for the
// role's maximum session (terraform/bootstrap), which covers the job's timeout.
// Fails on the workflow before issue 21 (no role-duration-seconds).
func TestE2ESessionOutlivesTheJob(t *testing.T) {
	raw, err := os.ReadFile(repo.Path(".github", "workflows", "e2e.yml"))
	if err != nil {
		t.Fatal(err)
	}
	bootstrap, err := os.ReadFile(repo.Path("terraform", "bootstrap", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	duration := regexp.MustCompile(`(?m)^\s+role-duration-seconds:\s*(\d+)\s*$`).FindSubmatch(raw)
	job := regexp.MustCompile(`(?m)^    timeout-minutes:\s*(\d+)`).FindSubmatch(raw)
	max := regexp.MustCompile(`max_session_duration\s*=\s*(\d+)`).FindSubmatch(bootstrap)
	if duration == nil || job == nil || max == nil {
		t.Fatalf("role-duration-seconds %q, the job's timeout-minutes %q, the role's max_session_duration %q: each must be set", duration, job, max)
	}
	if atoi(string(duration[1])) != atoi(string(max[1])) {
		t.Errorf("the workflow asks for %s s, the role allows %s s: ask for the role's maximum", duration[1], max[1])
	}
	if atoi(string(duration[1])) < atoi(string(job[1]))*60 {
		t.Errorf("a %s s session ends before the job's %s minutes (and its cleanup)", duration[1], job[1])
	}
}
