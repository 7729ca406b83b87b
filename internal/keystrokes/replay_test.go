package keystrokes

import (
	"errors"
	"strings"
	"testing"
)

func TestReplay(t *testing.T) {
	cases := []struct {
		name    string
		history string
		want    string
	}{
		{"empty", "", ""},
		{"typing", "Hello", "Hello"},
		{"newline and tab", "a\nb\tc", "a\nb\tc"},
		{"multibyte", "héllo 😀 日本", "héllo 😀 日本"},
		{"backspace", "FU<BS><BS>Message 1", "Message 1"},
		{"backspace at start is ignored", "<BS>ab", "ab"},
		{"delete forward", "abc<@1><DEL>", "ac"},
		{"delete at end is ignored", "abc<DEL>", "abc"},
		{"escaped angle bracket", "a <<b> c", "a <b> c"},
		{"escape twice", "<<<<", "<<"},
		{"mid-text insert", "helo<@3>l", "hello"},
		{"cursor to start", "world<@0>hello ", "hello world"},
		{"cursor to end", "ab<@0>x<@3>y", "xaby"},
		{"backspace counts code points", "a😀<BS>b", "ab"},
		{"position counts code points", "日本語<@1>x", "日x本語"},
		{"selection replaced by typing", "hello world<@6-11>there", "hello there"},
		{"selection deleted by backspace", "hello world<@5-11><BS>!", "hello!"},
		{"selection deleted by delete", "abcdef<@1-3><DEL>", "adef"},
		{"cursor after selection is its end", "abcdef<@1-3><@3>X", "abcXdef"},
		{"move clears selection", "abcdef<@1-3><@6><BS>", "abcde"},
		{"paste", "I feel <PASTE>much better</PASTE> today", "I feel much better today"},
		{"paste with escape", "<PASTE>a<<b</PASTE>", "a<b"},
		{"paste replaces selection", "one two<@4-7><PASTE>three</PASTE>", "one three"},
		{"cut", "one two three<@3-7><CUT>", "one three"},
		{"cut without selection is ignored", "abc<CUT>d", "abcd"},
		{"cut then paste elsewhere", "ab cd<@0-3><CUT><@2> <PASTE>ab </PASTE>", "cd ab "},
		{"position at end is allowed", "abc<@3>d", "abcd"},
	}
	for _, c := range cases {
		got, err := Replay(c.history)
		if err != nil {
			t.Errorf("%s: Replay(%q) error: %v", c.name, c.history, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: Replay(%q) = %q, want %q", c.name, c.history, got, c.want)
		}
	}
}

func TestReplayErrors(t *testing.T) {
	cases := []struct {
		name    string
		history string
		offset  int
		reason  string
	}{
		{"unknown token", "ab<XY>", 2, "unknown token"},
		{"lowercase token", "ab<bs>", 2, "unknown token"},
		{"unterminated token", "ab<BS", 2, "unterminated"},
		{"lone angle bracket at end", "ab<", 2, "unterminated"},
		{"position beyond text", "ab<@3>", 2, "beyond"},
		{"selection end beyond text", "ab<@0-3>", 2, "beyond"},
		{"reversed selection", "abc<@2-1>", 3, "does not run forward"},
		{"empty selection", "abc<@1-1>", 3, "does not run forward"},
		{"empty position", "ab<@>", 2, "invalid position"},
		{"negative position", "ab<@-1>", 2, "invalid position"},
		{"position with sign", "ab<@+1>", 2, "invalid position"},
		{"overlong position", "ab<@9999999999>", 2, "invalid position"},
		{"unclosed paste", "a<PASTE>bc", 1, "without </PASTE>"},
		{"close without paste", "a</PASTE>", 1, "without <PASTE>"},
		{"token inside paste", "<PASTE>a<BS></PASTE>", 8, "inside a paste"},
		{"nested paste", "<PASTE><PASTE></PASTE>", 7, "inside a paste"},
		{"invalid UTF-8", "ab\xffcd", 2, "invalid UTF-8"},
	}
	for _, c := range cases {
		got, err := Replay(c.history)
		var syntaxErr *SyntaxError
		if !errors.As(err, &syntaxErr) {
			t.Errorf("%s: Replay(%q) = %q, %v; want a *SyntaxError", c.name, c.history, got, err)
			continue
		}
		if syntaxErr.Offset != c.offset {
			t.Errorf("%s: offset %d, want %d", c.name, syntaxErr.Offset, c.offset)
		}
		if !strings.Contains(syntaxErr.Reason, c.reason) {
			t.Errorf("%s: reason %q, want it to mention %q", c.name, syntaxErr.Reason, c.reason)
		}
	}
}

func TestReplayLongHistoryOfEditsAtStart(t *testing.T) {
	// Typing backwards at position 0 is the worst case for a plain slice;
	// the gap buffer keeps it linear. The check is on the result only.
	var history strings.Builder
	for range 20000 {
		history.WriteString("<@0>x")
	}
	got, err := Replay(history.String())
	if err != nil {
		t.Fatal(err)
	}
	if got != strings.Repeat("x", 20000) {
		t.Errorf("got %d characters, want 20000", len(got))
	}
}
