package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

func cmdList(ctx context.Context, args []string, e env, redact *secrets.Redactor) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	var c common
	var onlyURL string
	c.register(fs, e)
	fs.StringVar(&onlyURL, "url", "", "only the webhooks delivering to this `URL`")
	if err := parse(fs, args, &c, e); err != nil {
		return err
	}
	s, err := connect(ctx, e, c, e.getenv("PIPEDRIVE_API_URL"), redact)
	if err != nil {
		return err
	}
	all, err := s.api.ListWebhooks(ctx)
	if err != nil {
		return err
	}
	ws := pipedrive.Find(all, func(w *pipedrive.Webhook) bool { return onlyURL == "" || w.SubscriptionURL == onlyURL })
	if c.output == "json" {
		if ws == nil {
			ws = []pipedrive.Webhook{} // [] rather than null
		}
		return s.printJSON(ws)
	}
	// One write of the whole table: the redactor sees whole lines.
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tEVENT\tURL\tACTIVE\tAUTH\tLAST DELIVERY\tLAST STATUS\tNAME")
	for _, w := range ws {
		fmt.Fprintf(tw, "%d\t%s\t%s.%s\t%s\t%s\t%s\t%s\t%s\t%s\n", w.ID, w.Version, w.EventAction, w.EventObject,
			w.SubscriptionURL, yesNo(w.Active()), yesNo(w.HasBasicAuth()), orDash(w.LastDeliveryTime), statusOrDash(w.LastHTTPStatus), w.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := s.stdout.Write(table.Bytes()); err != nil {
		return err
	}
	if len(ws) == 0 {
		s.say("no webhooks")
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}

func statusOrDash(n *int) string {
	if n == nil {
		return "-"
	}
	return strconv.Itoa(*n)
}
