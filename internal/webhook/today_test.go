package webhook

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// What webhooks v2 carries today beyond the seed's copy of the migration guide:
// change_source (again), the size of permitted_user_ids, the two halves of a merge
// (merged_to_id on the delete, merged_from_id on the change), and the parent of the
// objects that belong to a deal or a project. Each of these fails on the decoder
// before it knew them (change_source was read for v1 only; the rest not at all).
func TestDecodeTodaysV2(t *testing.T) {
	type want struct {
		changeSource, mergedTo, mergedFrom, deal, project string
		permitted                                         int64 // -1: absent
		unreadable                                        []string
	}
	v2 := func(entity, action, meta, data, previous string) string {
		return `{"meta":{"version":"2.0","action":"` + action + `","entity":"` + entity + `","entity_id":"71",
			"company_id":"12345678","timestamp":"2026-11-30T09:00:00.000Z"` + meta + `},
			"data":` + data + `,"previous":` + previous + `}`
	}
	tests := []struct {
		name string
		body string
		want want
	}{
		{"v2 change_source", v2("deal", "change", `,"change_source":"api"`, `{"id":71}`, `{"title":"x"}`),
			want{changeSource: "api", permitted: -1}},
		{"v1 change_source", `{"v":1,"meta":{"action":"updated","object":"deal","id":71,"change_source":"app"},"current":{"id":71}}`,
			want{changeSource: "app", permitted: -1}},
		{"permitted user ids as strings, as the migration guide says", v2("person", "create", `,"permitted_user_ids":["98765","98766","98767"]`, `{"id":71}`, `null`),
			want{permitted: 3}},
		{"permitted user ids as integers, as the AsyncAPI says", v2("person", "create", `,"permitted_user_ids":[98765, 98766]`, `{"id":71}`, `null`),
			want{permitted: 2}},
		{"permitted user ids empty", v2("person", "create", `,"permitted_user_ids":[ ]`, `{"id":71}`, `null`),
			want{permitted: 0}},
		{"permitted user ids null", v2("person", "create", `,"permitted_user_ids":null`, `{"id":71}`, `null`),
			want{permitted: -1}},
		{"commas, brackets and quotes inside elements are not elements", v2("person", "create",
			`,"permitted_user_ids":["1,2","[3]","\"4,\\",{"a":[5,6]},[7,8]]`, `{"id":71}`, `null`),
			want{permitted: 5}},
		{"permitted user ids not a list", v2("person", "create", `,"permitted_user_ids":"98765"`, `{"id":71}`, `null`),
			want{permitted: -1, unreadable: []string{"meta.permitted_user_ids"}}},
		{"merge, the delete", v2("person", "delete", `,"merged_to_id":"72"`, `null`, `{"id":71}`),
			want{mergedTo: "72", permitted: -1}},
		{"merge, the change", v2("person", "change", `,"merged_from_id":70`, `{"id":71}`, `{"name":"x"}`),
			want{mergedFrom: "70", permitted: -1}},
		{"merged_from_id unreadable", v2("person", "change", `,"merged_from_id":{"id":70}`, `{"id":71}`, `{"name":"x"}`),
			want{permitted: -1, unreadable: []string{"meta.merged_from_id"}}},
		{"deal product: its deal", v2("deal_product", "create", ``, `{"id":71,"deal_id":123,"project_id":9}`, `null`),
			want{deal: "123", permitted: -1}},
		{"deal installment deleted: its deal from previous", v2("deal_installment", "delete", ``, `null`, `{"id":71,"deal_id":"123"}`),
			want{deal: "123", permitted: -1}},
		{"deal product: a change that moved it names both", v2("deal_product", "change", ``, `{"id":71,"deal_id":124}`, `{"deal_id":123}`),
			want{deal: "124", permitted: -1}},
		{"task: its project", v2("task", "change", ``, `{"id":71,"project_id":9,"deal_id":123}`, `{"done":false}`),
			want{project: "9", permitted: -1}},
		{"task: project_id unreadable", v2("task", "create", ``, `{"id":71,"project_id":[9]}`, `null`),
			want{permitted: -1, unreadable: []string{"data.project_id"}}},
		{"an activity's deal_id is not a parent here", v2("activity", "create", ``, `{"id":71,"deal_id":123,"project_id":9}`, `null`),
			want{permitted: -1}},
		{"a deal's project_id is not a parent here", v2("deal", "create", ``, `{"id":71,"project_id":9}`, `null`),
			want{permitted: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			got := want{changeSource: e.ChangeSource, mergedTo: e.MergedToID, mergedFrom: e.MergedFromID,
				deal: e.DealID, project: e.ProjectID, permitted: -1, unreadable: e.Unreadable}
			if e.PermittedUserCount.Valid {
				got.permitted = e.PermittedUserCount.N
			}
			if got.changeSource != tt.want.changeSource || got.mergedTo != tt.want.mergedTo || got.mergedFrom != tt.want.mergedFrom ||
				got.deal != tt.want.deal || got.project != tt.want.project || got.permitted != tt.want.permitted ||
				!slices.Equal(got.unreadable, tt.want.unreadable) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestPermittedUsersCountedNeverListed checks the record: the count, never the ids.
func TestPermittedUsersCountedNeverListed(t *testing.T) {
	e, err := Decode([]byte(`{"meta":{"version":"2.0","action":"create","entity":"person","entity_id":"71",
		"permitted_user_ids":["98765","98766"]},"data":{"id":71}}`))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("pipedrive webhook", "webhook", e)
	if strings.Contains(buf.String(), "98765") || strings.Contains(buf.String(), "permitted_user_ids") {
		t.Errorf("the record lists the permitted users: %s", buf.String())
	}
	var rec struct {
		Webhook map[string]any `json:"webhook"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if n, ok := rec.Webhook["permitted_user_count"].(float64); !ok || n != 2 {
		t.Errorf("permitted_user_count = %v, want 2", rec.Webhook["permitted_user_count"])
	}
}

// FuzzPermittedUserCount checks the element counter against encoding/json: for any
// valid JSON array it counts what json.Unmarshal would decode, and for any other
// valid JSON value but null it marks the field unreadable.
func FuzzPermittedUserCount(f *testing.F) {
	for _, s := range []string{`[]`, `[1]`, `["98765","98766"]`, `[[1,2],{"a":","}]`, `["\"]\\",","]`, `null`, `"1,2"`, `{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		var c count
		if err := json.Unmarshal([]byte(`{"n":`+s+`}`), &struct {
			N *count `json:"n"`
		}{&c}); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		var items []json.RawMessage
		switch err := json.Unmarshal([]byte(s), &items); {
		case strings.TrimSpace(s) == "null":
			if c.Valid || c.bad {
				t.Errorf("%q: %+v, want absent", s, c)
			}
		case err != nil:
			if c.Valid || !c.bad {
				t.Errorf("%q: %+v, want unreadable", s, c)
			}
		case !c.Valid || c.N != int64(len(items)):
			t.Errorf("%q: counted %+v, json.Unmarshal decodes %d", s, c, len(items))
		}
	})
}
