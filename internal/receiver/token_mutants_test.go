package receiver

import "testing"

// TestIsTokenCharacterRanges: every character of [A-Za-z0-9._-] is safe to log,
// the range ends included, and the characters just outside each range are not
// (mutants: each `<=` of isToken's case as `<`; the switch's conditions are
// tested by make mutate's blind-spot pass, gremlins#298).
func TestIsTokenCharacterRanges(t *testing.T) {
	for _, s := range []string{"a", "z", "A", "Z", "0", "9", "-", "_", ".", "azAZ09-_."} {
		if !isToken(s, 64) {
			t.Errorf("isToken(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"`", "{", "@", "[", "/", ":", "a+b", "é"} {
		if isToken(s, 64) {
			t.Errorf("isToken(%q) = true, want false", s)
		}
	}
}
