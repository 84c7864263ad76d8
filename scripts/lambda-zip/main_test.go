package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestZipIsReproducibleAndExecutable(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	content := bytes.Repeat([]byte("\x7fELF binary "), 1000)
	if err := os.WriteFile(bin, content, 0o755); err != nil {
		t.Fatal(err)
	}
	var zips [][]byte
	for i, out := range []string{"a.zip", "b.zip"} {
		// A different file time must not change the zip.
		_ = os.Chtimes(bin, time.Now(), time.Now().Add(time.Duration(i)*time.Hour))
		var stdout strings.Builder
		if err := run(context.Background(), []string{"lambda-zip", "-o", filepath.Join(dir, out), bin}, os.Getenv, &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout.String(), "source_code_hash") {
			t.Errorf("output %q", stdout.String())
		}
		data, _ := os.ReadFile(filepath.Join(dir, out))
		zips = append(zips, data)
	}
	if !bytes.Equal(zips[0], zips[1]) {
		t.Fatal("two zips of the same binary differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(zips[0]), int64(len(zips[0])))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 {
		t.Fatalf("entries %v", zr.File)
	}
	rc, _ := zr.File[0].Open()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, content) {
		t.Error("the zipped bootstrap differs from the binary")
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"lambda-zip"}, {"lambda-zip", "-o", "x.zip"}, {"lambda-zip", "-o", "x.zip", "/nonexistent/bootstrap"}} {
		if err := run(context.Background(), args, os.Getenv, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
