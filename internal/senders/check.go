package senders

import (
	"context"
	"net/netip"
	"sync"
)

// Verdict is what the check found out about one delivery.
type Verdict int

// The verdicts.
const (
	// Inside: the source address is in Pipedrive's ranges.
	Inside Verdict = iota
	// Outside: the source address is in none of them.
	Outside
	// Unknown: no list to check against (none stored yet, or unreadable), or no
	// readable source address. The delivery is let through: refusing it would refuse
	// Pipedrive's own deliveries and get its webhook banned, and basic auth still
	// stands. The receiver says so, once per outage.
	Unknown
)

// Checker checks source addresses against the stored list. Load returns the stored
// form (a cached SSM parameter in Lambda); the decoded list is kept until the stored
// form changes, so a request costs a cache read and a scan of a few dozen prefixes.
type Checker struct {
	Mode Mode
	Load func(context.Context) (string, error)

	mu      sync.Mutex
	raw     string
	decoded List
}

// Check returns the verdict on sourceIP (as API Gateway gives it) and, for Unknown,
// why.
func (c *Checker) Check(ctx context.Context, sourceIP string) (Verdict, string) {
	addr, err := netip.ParseAddr(sourceIP)
	if err != nil {
		return Unknown, "no_source_ip"
	}
	l, err := c.list(ctx)
	switch {
	case err != nil:
		return Unknown, "ranges_unreadable"
	case len(l.Prefixes) == 0:
		return Unknown, "no_ranges_yet"
	case l.Contains(addr):
		return Inside, ""
	}
	return Outside, ""
}

func (c *Checker) list(ctx context.Context) (List, error) {
	raw, err := c.Load(ctx)
	if err != nil {
		return List{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if raw != c.raw || c.decoded.Prefixes == nil {
		l, err := Decode(raw)
		if err != nil {
			return List{}, err
		}
		c.raw, c.decoded = raw, l
	}
	return c.decoded, nil
}
