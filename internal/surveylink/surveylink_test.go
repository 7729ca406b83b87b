package surveylink

import (
	"strings"
	"testing"
)

func TestFill(t *testing.T) {
	values := Values{Participant: "u1", Session: "s1", Assessment: "a1", ExternalID: "R 7&x=1"}
	cases := []struct {
		template, want string
	}{
		{"https://x.org/s?p={participant}&s={session}", "https://x.org/s?p=u1&s=s1"},
		{"https://x.org/s?a={assessment}", "https://x.org/s?a=a1"},
		{"https://x.org/s?record={external_id}", "https://x.org/s?record=R+7%26x%3D1"},
		{"https://x.org/r/{external_id}/start", "https://x.org/r/R%207&x=1/start"},
		{"https://x.org/r/{session}#{participant}", "https://x.org/r/s1#u1"},
		{"https://x.org/s?x={unknown}", "https://x.org/s?x={unknown}"},
		{"https://x.org/s?x={participant", "https://x.org/s?x={participant"},
		{"https://x.org/s?x={{participant}", "https://x.org/s?x={u1"},
		{"", ""},
	}
	for i, c := range cases {
		if got := Fill(c.template, values); got != c.want {
			t.Errorf("%d: Fill(%q) = %q, want %q", i, c.template, got, c.want)
		}
	}
}

func TestFillPathValueCannotAddSegment(t *testing.T) {
	got := Fill("https://x.org/r/{external_id}", Values{ExternalID: "../admin?x=1#y"})
	if strings.Count(got, "/") != 4 || strings.ContainsAny(got[len("https://x.org/r/"):], "/?#") {
		t.Errorf("escaped path value = %q, want no added /, ? or #", got)
	}
}

func TestFillMissingValueIsEmpty(t *testing.T) {
	got := Fill("https://x.org/s?record={external_id}&p={participant}", Values{Participant: "u1"})
	if want := "https://x.org/s?record=&p=u1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		template string
		valid    bool
		mention  string
	}{
		{"https://redcap.example.org/surveys/?s=ABC&record={external_id}", true, ""},
		{"http://localhost:8080/s/{participant}/{session}", true, ""},
		{"https://x.org/s", true, ""},
		{"https://x.org/s?p={participant}&a={assessment}", true, ""},
		{"https://x.org/s?p={phone}", false, "{phone}"},
		{"https://x.org/s?p={Participant}", false, "{Participant}"},
		{"https://x.org/s?p={participant", false, "opening brace"},
		{"https://x.org/s?p=participant}", false, "closing brace"},
		{"https://x.org/s?p={{participant}}", false, "opening brace"},
		{"https://x.org/s?p={}", false, "{}"},
		{"x.org/s?p={participant}", false, "full http"},
		{"javascript:alert(1)", false, "full http"},
		{"ftp://x.org/s", false, "full http"},
		{"https:///path", false, "full http"},
		{" https://x.org/s", false, "spaces"},
	}
	for i, c := range cases {
		err := Validate(c.template)
		if c.valid && err != nil {
			t.Errorf("%d: Validate(%q) = %v, want nil", i, c.template, err)
		}
		if !c.valid && (err == nil || !strings.Contains(err.Error(), c.mention)) {
			t.Errorf("%d: Validate(%q) = %v, want an error mentioning %q", i, c.template, err, c.mention)
		}
	}
}

func FuzzFill(f *testing.F) {
	f.Add("https://x.org/r/{external_id}?p={participant}", "a/b?c#d")
	f.Add("{", "}")
	f.Fuzz(func(t *testing.T, template, value string) {
		got := Fill(template, Values{ExternalID: value, Participant: value})
		if Validate(template) == nil && strings.Contains(got, "{") {
			t.Errorf("valid template %q left a brace in %q", template, got)
		}
	})
}
