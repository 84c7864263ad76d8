package cli

import (
	"strings"
	"testing"
	"time"
)

func TestEnvDuration(t *testing.T) {
	for _, tt := range []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", 7 * time.Second, false},
		{"5m", 5 * time.Minute, false},
		{"0s", 0, false},
		{"1h30m", 90 * time.Minute, false},
		{"-1s", 0, true},
		{"5", 0, true},
		{"soon", 0, true},
	} {
		got, err := EnvDuration(func(k string) string {
			if k != "TTL" {
				t.Errorf("read %s, want TTL", k)
			}
			return tt.value
		}, "TTL", 7*time.Second)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%q: %s, %v; want %s, error %t", tt.value, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), `TTL="`+tt.value+`"`) {
			t.Errorf("%q: the error %q does not name the variable and its value", tt.value, err)
		}
	}
}

func FuzzEnvDuration(f *testing.F) {
	for _, s := range []string{"", "5m", "-1s", "1e9h", "0", ".5s", "soon"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := EnvDuration(func(string) string { return s }, "K", time.Second)
		switch {
		case err == nil && d < 0:
			t.Errorf("%q: %s, a negative duration", s, d)
		case err != nil && d != 0:
			t.Errorf("%q: %s with the error %v", s, d, err)
		case s == "" && (err != nil || d != time.Second):
			t.Errorf("unset: %s, %v; want the default", d, err)
		}
		if want, perr := time.ParseDuration(s); s != "" && perr == nil && want >= 0 && (err != nil || d != want) {
			t.Errorf("%q: %s, %v; want %s", s, d, err, want)
		}
	})
}
