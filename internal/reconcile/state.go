package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// State is what one run leaves for the next: the window at work and how far each
// of its passes got, the end of the last window completed, and the tokens spent
// on the day (UTC) so far. It is small JSON: an SSM parameter holds it in AWS, a
// file locally.
type State struct {
	Window *Window `json:"window,omitempty"`
	// Progress is per pass ("deal", "deal:deleted", "note", …) of Window.
	Progress map[string]*Progress `json:"progress,omitempty"`
	// CompleteThrough is the end of the last window reconciled completely: a
	// scheduled run starts where it ends.
	CompleteThrough time.Time `json:"complete_through,omitzero"`
	Day             string    `json:"day,omitempty"` // YYYY-MM-DD, UTC
	SpentToday      int       `json:"spent_today,omitempty"`
}

// Window is a time range [Since, Until).
type Window struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

func (w Window) String() string {
	return w.Since.UTC().Format(time.RFC3339) + "/" + w.Until.UTC().Format(time.RFC3339)
}

// Progress is how far one pass got: a v2 list's cursor or recents' start, and
// whether it is done.
type Progress struct {
	Cursor string `json:"cursor,omitempty"`
	Start  int64  `json:"start,omitempty"`
	Done   bool   `json:"done,omitempty"`
}

// Store keeps the State between runs.
type Store interface {
	Load(ctx context.Context) (State, error)
	Save(ctx context.Context, s State) error
}

// FileStore keeps the state in a local file; a missing file is a fresh state.
type FileStore struct{ Path string }

// Load reads the state; a missing file is a fresh one.
func (f FileStore) Load(context.Context) (State, error) {
	raw, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, err
	}
	return decodeState(raw, f.Path)
}

// Save replaces the file with the state, atomically.
func (f FileStore) Save(_ context.Context, s State) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := f.Path + ".tmp"
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o750); err != nil {
		return err
	}
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, f.Path)
}

func decodeState(raw []byte, where string) (State, error) {
	var s State
	if err := json.Unmarshal(raw, &s); err != nil {
		return State{}, fmt.Errorf("the reconciliation cursor %s is not what reconciliation writes (%w): delete it to start afresh", where, err)
	}
	return s, nil
}

// SSMAPI is the part of the SSM client the parameter store uses.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, opts ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
}

// SSMStore keeps the state in an SSM String parameter (Terraform creates it and
// ignores its value thereafter). A missing parameter, or one holding "{}" or
// "none", is a fresh state.
type SSMStore struct {
	Client SSMAPI
	Name   string
}

// Load reads the state from the parameter.
func (p SSMStore) Load(ctx context.Context) (State, error) {
	// WithDecryption is ignored for a String; it keeps a SecureString readable too.
	out, err := p.Client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(p.Name), WithDecryption: aws.Bool(true)})
	var nf *ssmtypes.ParameterNotFound
	if errors.As(err, &nf) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("read the reconciliation cursor %s: %w", p.Name, err)
	}
	v := aws.ToString(out.Parameter.Value)
	if v == "" || v == "none" {
		return State{}, nil
	}
	return decodeState([]byte(v), p.Name)
}

// Save overwrites the parameter with the state.
func (p SSMStore) Save(ctx context.Context, s State) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = p.Client.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(p.Name), Value: aws.String(string(raw)),
		Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("write the reconciliation cursor %s: %w", p.Name, err)
	}
	return nil
}

// DailyBudget is Pipedrive's company-wide daily API token budget: 30,000 tokens
// times the plan's multiplier times the number of seats.
func DailyBudget(multiplier float64, seats int) int {
	return int(30000 * multiplier * float64(seats))
}

// ErrBudget is why a call was not made: the run's share of the day's tokens is spent.
var ErrBudget = errors.New("the reconciliation's share of the daily API token budget is spent")

// budget counts the tokens of one run against the day's allowance.
type budget struct {
	limit int // tokens reconciliation may spend in a day
	state *State
	now   func() time.Time
	spent int // by this run
}

// charge counts cost against the day, refusing it when it would pass the limit.
func (b *budget) charge(cost int) error {
	day := b.now().UTC().Format(time.DateOnly)
	if b.state.Day != day {
		b.state.Day, b.state.SpentToday = day, 0
	}
	if b.state.SpentToday+cost > b.limit {
		return ErrBudget
	}
	b.state.SpentToday += cost
	b.spent += cost
	return nil
}

// affords says whether cost can be charged without passing the limit.
func (b *budget) affords(cost int) bool {
	day := b.now().UTC().Format(time.DateOnly)
	spent := b.state.SpentToday
	if b.state.Day != day {
		spent = 0
	}
	return spent+cost <= b.limit
}
