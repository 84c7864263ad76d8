package cli

import (
	"fmt"
	"time"
)

// EnvDuration reads the environment variable key as a duration of 0 or more
// ("5m", "90s"); def when it is unset or empty.
func EnvDuration(getenv func(string) string, key string, def time.Duration) (time.Duration, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q: want a duration of 0 or more, such as 5m", key, v)
	}
	return d, nil
}
