// Package repo locates the repository's own files (testdata, specifications) for
// tests and development tools, wherever they run from.
package repo

import (
	"path/filepath"
	"runtime"
)

// Root is the repository's root folder: the one holding go.mod.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Path joins elem to the repository's root: repo.Path("testdata", "pipedrive").
func Path(elem ...string) string {
	return filepath.Join(append([]string{Root()}, elem...)...)
}
