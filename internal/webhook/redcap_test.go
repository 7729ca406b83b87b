package webhook

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseREDCap(t *testing.T) {
	cases := []struct {
		form     string
		want     REDCapTrigger
		complete bool
		badField string
	}{
		{
			form:     "record=P042&instrument=post_session&redcap_event_name=week_1_arm_1&post_session_complete=2&project_id=12&redcap_url=https%3A%2F%2Fredcap.example.org%2F",
			want:     REDCapTrigger{Record: "P042", Instrument: "post_session", Event: "week_1_arm_1", CompleteStatus: "2"},
			complete: true,
		},
		{
			form: "record=P042&instrument=post_session&post_session_complete=1",
			want: REDCapTrigger{Record: "P042", Instrument: "post_session", CompleteStatus: "1"},
		},
		{
			form: "record=P042&instrument=post_session",
			want: REDCapTrigger{Record: "P042", Instrument: "post_session"},
		},
		{
			form: "record=P042&instrument=post_session&other_complete=2",
			want: REDCapTrigger{Record: "P042", Instrument: "post_session"},
		},
		{form: "instrument=post_session&post_session_complete=2", badField: "record"},
		{form: "record=%20P042&instrument=post_session", badField: "record"},
		{form: "record=P%0A42&instrument=post_session", badField: "record"},
		{form: "record=P%FF&instrument=post_session", badField: "record"},
		{form: "record=" + strings.Repeat("x", 101) + "&instrument=post_session", badField: "record"},
		{form: "record=P042", badField: "instrument"},
		{form: "record=P042&instrument=Post+Session", badField: "instrument"},
		{form: "record=P042&instrument=post_session&redcap_event_name=Week+1", badField: "redcap_event_name"},
	}
	for i, c := range cases {
		form, err := url.ParseQuery(c.form)
		if err != nil {
			t.Fatalf("%d: bad test form: %v", i, err)
		}
		got, err := ParseREDCap(form)
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
		if got.Complete() != c.complete {
			t.Errorf("%d: Complete() = %v, want %v", i, got.Complete(), c.complete)
		}
	}
}

func FuzzParseREDCap(f *testing.F) {
	f.Add("record=P042&instrument=post_session&redcap_event_name=week_1_arm_1&post_session_complete=2")
	f.Add("record=&instrument=a")
	f.Add("record=%FF&instrument=_&_complete=2")
	f.Fuzz(func(t *testing.T, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		trigger, err := ParseREDCap(form)
		if err != nil {
			return
		}
		if trigger.Record == "" || trigger.Instrument == "" {
			t.Fatalf("accepted a trigger without record or instrument: %+v", trigger)
		}
		for _, value := range []string{trigger.Record, trigger.Instrument, trigger.Event} {
			if len(value) > MaxIDLength || !utf8.ValidString(value) || strings.TrimSpace(value) != value {
				t.Fatalf("accepted an invalid id %q", value)
			}
		}
		if trigger.Complete() != (form.Get(trigger.Instrument+"_complete") == "2") {
			t.Fatalf("Complete() disagrees with the form for %q", query)
		}
	})
}
