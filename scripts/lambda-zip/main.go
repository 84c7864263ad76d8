// Command lambda-zip packs a Lambda `bootstrap` binary into a deployment zip that is
// the same byte for byte whenever the binary is: one entry, a fixed timestamp,
// executable permissions. Terraform's source_code_hash then changes only when the
// code does.
//
//	go run ./scripts/lambda-zip -o dist/receiver.zip dist/bootstrap
package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
)

func main() { cli.Main("lambda-zip", run) }

func run(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	out := fs.String("o", "", "the zip to write")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s -o OUT.zip BOOTSTRAP\n\nPacks BOOTSTRAP into a reproducible Lambda zip.\n\nFlags:\n", args[0])
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 1 {
		return errors.New("usage: lambda-zip -o OUT.zip BOOTSTRAP")
	}
	bin, err := os.ReadFile(fs.Arg(0)) //nolint:gosec // a build tool reads the file it is given
	if err != nil {
		return err
	}
	data, err := Zip("bootstrap", bin)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil { //nolint:gosec // build output, read by terraform; no secret in it
		return err
	}
	sum := sha256.Sum256(data)
	fmt.Fprintf(stdout, "%s: %d bytes (bootstrap %d bytes), source_code_hash %s\n",
		*out, len(data), len(bin), base64.StdEncoding.EncodeToString(sum[:]))
	return nil
}

// Zip returns a zip holding one executable file.
func Zip(name string, content []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(content); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
