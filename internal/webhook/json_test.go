package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseJSON(t *testing.T) {
	at := time.Date(2026, 3, 1, 18, 30, 0, 0, time.UTC)
	cases := []struct {
		body     string
		want     Completion
		badField string
	}{
		{
			body: `{"participant":"u1","assessment":"a1","status":"complete","completed_at":"2026-03-01T19:30:00+01:00"}`,
			want: Completion{Participant: "u1", Assessment: "a1", CompletedAt: at},
		},
		{
			body: `{"participant":"R-0042","assessment":"a1","status":"complete"}`,
			want: Completion{Participant: "R-0042", Assessment: "a1"},
		},
		{
			body: `{"participant":"u1","assessment":"a1","status":"complete","completed_at":""}`,
			want: Completion{Participant: "u1", Assessment: "a1"},
		},
		{body: `{"assessment":"a1","status":"complete"}`, badField: "participant"},
		{body: `{"participant":"","assessment":"a1","status":"complete"}`, badField: "participant"},
		{body: `{"participant":"u\u0000","assessment":"a1","status":"complete"}`, badField: "participant"},
		{body: `{"participant":"u1","status":"complete"}`, badField: "assessment"},
		{body: `{"participant":"u1","assessment":"a1"}`, badField: "status"},
		{body: `{"participant":"u1","assessment":"a1","status":"incomplete"}`, badField: "status"},
		{body: `{"participant":"u1","assessment":"a1","status":"complete","completed_at":"yesterday"}`, badField: "completed_at"},
		{body: `{"participant":"u1","assessment":"a1","status":"complete","participant_id":"x"}`, badField: "body"},
		{body: `{"participant":1,"assessment":"a1","status":"complete"}`, badField: "body"},
		{body: `{"participant":"u1","assessment":"a1","status":"complete"} {}`, badField: "body"},
		{body: `[]`, badField: "body"},
		{body: ``, badField: "body"},
		{body: "{\"participant\":\"u\xff\",\"assessment\":\"a1\",\"status\":\"complete\"}", badField: "body"},
	}
	for i, c := range cases {
		got, err := ParseJSON([]byte(c.body))
		if c.badField != "" {
			var fieldErrs FieldErrors
			if !errors.As(err, &fieldErrs) || fieldErrs[c.badField] == "" {
				t.Errorf("%d: error = %v, want a field error on %q", i, err, c.badField)
			}
			continue
		}
		if err != nil {
			t.Errorf("%d: unexpected error %v", i, err)
			continue
		}
		if got != c.want {
			t.Errorf("%d: got %+v, want %+v", i, got, c.want)
		}
	}
}

func TestFieldErrorsMessageIsSorted(t *testing.T) {
	got := FieldErrors{"status": "b.", "assessment": "a."}.Error()
	if want := "invalid webhook input: assessment: a.; status: b."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"participant":"u1","assessment":"a1","status":"complete","completed_at":"2026-03-01T18:30:00Z"}`))
	f.Add([]byte(`{"participant":"\ud800","assessment":"a","status":"complete"}`))
	f.Add([]byte(`{"participant":"u1","assessment":"a1","status":"complete","completed_at":"0000-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		completion, err := ParseJSON(data)
		if err != nil {
			return
		}
		for _, value := range []string{completion.Participant, completion.Assessment} {
			if value == "" || len(value) > MaxIDLength || !utf8.ValidString(value) || strings.TrimSpace(value) != value {
				t.Fatalf("accepted an invalid id %q", value)
			}
		}
		if !completion.CompletedAt.IsZero() && completion.CompletedAt.Location() != time.UTC {
			t.Fatalf("completed_at not in UTC: %v", completion.CompletedAt)
		}
	})
}
