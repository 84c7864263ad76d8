package senders

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// RefreshEvery is how often the published file is downloaded: the watchdog runs every
// 15 minutes, and a list that changes a few times a year needs no more than this.
const RefreshEvery = 6 * time.Hour

// maxDownload bounds the published file: a few kilobytes today.
const maxDownload = 1 << 20

// Store is where the last good list lives (an SSM parameter in AWS).
type Store interface {
	Load(ctx context.Context) (List, error)
	Save(ctx context.Context, l List) error
}

// Status is what a refresh did.
type Status string

// The outcomes of a refresh.
const (
	Fresh     Status = "fresh"     // the stored list was confirmed less than RefreshEvery ago: nothing downloaded
	Refreshed Status = "refreshed" // the published list changed, and the new one is stored
	Unchanged Status = "unchanged" // the published list is the stored one; its age starts again
	Rejected  Status = "rejected"  // the download is no plausible list; the last good list stays
	Failed    Status = "failed"    // the download or the store failed; the last good list stays
)

// Result is one refresh, for the record that reports it.
type Result struct {
	Status   Status
	Prefixes int       // in the list now in force
	Checked  time.Time // when that list was last confirmed
	Stale    bool      // older than StaleAfter: an alarm's matter
	Err      error     // why a refresh was rejected or failed
}

// Refresh downloads the published list from url when the stored one is due, checks
// that it is plausible and stores it. A failed or implausible download never
// replaces the last good list. It makes one GET, bounded by ctx and client.
func Refresh(ctx context.Context, client *http.Client, url string, store Store, now time.Time) Result {
	last, err := store.Load(ctx)
	if err != nil {
		return Result{Status: Failed, Err: err, Stale: true}
	}
	res := Result{Prefixes: len(last.Prefixes), Checked: last.Checked}
	finish := func(s Status, err error) Result {
		res.Status, res.Err = s, err
		res.Stale = stale(res.Checked, now)
		return res
	}
	if len(last.Prefixes) > 0 && !last.Checked.IsZero() && now.Sub(last.Checked) < RefreshEvery {
		return finish(Fresh, nil)
	}
	body, err := download(ctx, client, url)
	if err != nil {
		return finish(Failed, err)
	}
	next, err := Parse(body)
	if err == nil {
		err = Plausible(last.Prefixes, next)
	}
	if err != nil {
		return finish(Rejected, err)
	}
	status := Refreshed
	if slices.Equal(next, last.Prefixes) {
		status = Unchanged
	}
	l := List{Prefixes: next, Source: url, Checked: now.UTC()}
	if err := store.Save(ctx, l); err != nil {
		return finish(Failed, err)
	}
	res.Prefixes, res.Checked = len(next), l.Checked
	return finish(status, nil)
}

func download(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("download sender ranges: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download sender ranges: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download sender ranges: %s answered %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("download sender ranges: %w", err)
	case len(body) > maxDownload:
		return nil, fmt.Errorf("download sender ranges: more than %d bytes", maxDownload)
	}
	return body, nil
}

// ParameterAPI is what ParameterStore calls.
type ParameterAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, opts ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
}

// ParameterStore keeps the list in an SSM String parameter, which Terraform creates
// with an empty placeholder list.
type ParameterStore struct {
	Client ParameterAPI
	Name   string
}

// Load reads the stored list; a parameter that does not exist yet is an empty list.
func (s ParameterStore) Load(ctx context.Context) (List, error) {
	out, err := s.Client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(s.Name), WithDecryption: aws.Bool(true)})
	var missing *types.ParameterNotFound
	switch {
	case errors.As(err, &missing):
		return List{}, nil
	case err != nil:
		return List{}, fmt.Errorf("read SSM parameter %s: %w", s.Name, err)
	case out.Parameter == nil:
		return List{}, fmt.Errorf("read SSM parameter %s: the answer has no value", s.Name)
	}
	return Decode(aws.ToString(out.Parameter.Value))
}

// Save overwrites the stored list.
func (s ParameterStore) Save(ctx context.Context, l List) error {
	_, err := s.Client.PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String(s.Name), Value: aws.String(l.Encode()), Type: types.ParameterTypeString, Overwrite: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("write SSM parameter %s: %w", s.Name, err)
	}
	return nil
}
