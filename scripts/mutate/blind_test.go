package main

import (
	"strings"
	"testing"
)

func TestParseProfileAndOutside(t *testing.T) {
	const profile = `mode: set
example.com/m/internal/x/a.go:10.20,12.3 2 1
example.com/m/internal/x/a.go:14.2,14.30 1 0
example.com/m/internal/x/b.go:3.1,3.9 1 1
`
	blocks, err := parseProfile(strings.NewReader(profile))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 || blocks[0] != (block{file: "a.go", line: 10, col: 20, endLine: 12, endCol: 3, count: 1}) {
		t.Fatalf("blocks %+v", blocks)
	}
	for _, tt := range []struct {
		file      string
		line, col int
		want      bool
	}{
		{"a.go", 10, 20, false}, // a block's first column
		{"a.go", 11, 1, false},
		{"a.go", 12, 3, false}, // its last
		{"a.go", 12, 4, true},
		{"a.go", 10, 19, true},
		{"a.go", 13, 5, true},   // between blocks: a case condition, say
		{"a.go", 14, 10, false}, // in a block the tests did not run: not a blind spot
		{"b.go", 10, 25, true},  // another file's position
	} {
		if got := outside(blocks, tt.file, tt.line, tt.col); got != tt.want {
			t.Errorf("outside(%s:%d:%d) = %v, want %v", tt.file, tt.line, tt.col, got, tt.want)
		}
	}
	if _, err := parseProfile(strings.NewReader("mode: set\nnonsense\n")); err == nil {
		t.Error("a malformed profile parsed")
	}
}

func TestMutate(t *testing.T) {
	const src = "package p\n\nfunc f(a, b int) bool {\n\tswitch {\n\tcase a >= b && a-b == 1:\n\t\treturn true\n\t}\n\tfor a++; a < 2; {\n\t}\n\treturn a*b != -1\n}\n"
	for _, tt := range []struct {
		line, col int
		typ, want string
	}{
		{5, 9, "CONDITIONALS_NEGATION", "\tcase a < b && a-b == 1:"},
		{5, 9, "CONDITIONALS_BOUNDARY", "\tcase a > b && a-b == 1:"},
		{5, 18, "ARITHMETIC_BASE", "\tcase a >= b && a+b == 1:"},
		{5, 21, "CONDITIONALS_NEGATION", "\tcase a >= b && a-b != 1:"},
		{5, 14, "INVERT_LOGICAL", "\tcase a >= b || a-b == 1:"},
		{8, 7, "INCREMENT_DECREMENT", "\tfor a--; a < 2; {"},
		{10, 10, "ARITHMETIC_BASE", "\treturn a/b != -1"},
		{10, 16, "INVERT_NEGATIVES", "\treturn a*b != +1"},
	} {
		got, err := mutate([]byte(src), tt.line, tt.col, tt.typ)
		if err != nil {
			t.Errorf("%d:%d %s: %v", tt.line, tt.col, tt.typ, err)
			continue
		}
		if line := strings.Split(string(got), "\n")[tt.line-1]; line != tt.want {
			t.Errorf("%d:%d %s: %q, want %q", tt.line, tt.col, tt.typ, line, tt.want)
		}
	}
	for _, bad := range []struct {
		line, col int
		typ       string
	}{{5, 10, "CONDITIONALS_NEGATION"}, {5, 9, "INCREMENT_DECREMENT"}, {99, 1, "ARITHMETIC_BASE"}} {
		if _, err := mutate([]byte(src), bad.line, bad.col, bad.typ); err == nil {
			t.Errorf("%d:%d %s: mutated", bad.line, bad.col, bad.typ)
		}
	}
}
