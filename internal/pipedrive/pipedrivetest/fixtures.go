package pipedrivetest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// Fixture is one webhook payload, as Pipedrive delivers it.
type Fixture struct {
	Name    string // "v2/deal-change"
	Version string // "1.0" or "2.0", from the folder it is in
	Entity  string // "deal", from the file name
	Body    []byte
}

// FixtureDir is the repository's testdata/pipedrive folder: the payloads under v1/
// and v2/, and Pipedrive's API specifications.
func FixtureDir() string { return repo.Path("testdata", "pipedrive") }

// Fixtures reads every payload in FixtureDir, sorted by name.
func Fixtures() ([]Fixture, error) { return LoadFixtures(FixtureDir()) }

// GetFixture returns the payload with the given name ("v2/deal-change").
func GetFixture(name string) (Fixture, error) {
	all, err := Fixtures()
	if err != nil {
		return Fixture{}, err
	}
	for _, f := range all {
		if f.Name == name {
			return f, nil
		}
	}
	return Fixture{}, fmt.Errorf("no fixture %q under %s", name, FixtureDir())
}

// LoadFixtures reads every v1/*.json and v2/*.json under dir, sorted by name.
func LoadFixtures(dir string) ([]Fixture, error) {
	var all []Fixture
	for _, v := range []struct{ folder, version string }{{"v1", "1.0"}, {"v2", "2.0"}} {
		paths, err := filepath.Glob(filepath.Join(dir, v.folder, "*.json"))
		if err != nil {
			return nil, err
		}
		slices.Sort(paths)
		for _, p := range paths {
			body, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("read fixture: %w", err)
			}
			base := strings.TrimSuffix(filepath.Base(p), ".json")
			entity, _, _ := strings.Cut(base, "-")
			all = append(all, Fixture{Name: v.folder + "/" + base, Version: v.version, Entity: entity, Body: body})
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("no fixtures under %s", dir)
	}
	return all, nil
}
