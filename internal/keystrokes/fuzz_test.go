package keystrokes

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReplay checks Replay against a plain, slow reference replayer that
// follows the package documentation step by step, and checks that escaped
// typed text always replays to itself.
func FuzzReplay(f *testing.F) {
	for _, seed := range []string{
		"", "Hello", "FU<BS><BS>Message 1", "a<<b", "helo<@3>l", "ab<@0-1>X",
		"<PASTE>x<<y</PASTE>", "abc<@0-2><CUT>", "abc<@1><DEL>", "ab<@3>", "<@1-0>",
		"日本<@1>x", "a\xffb", "<PASTE>", "</PASTE>", "<", "<@>", "x<@0-1><BS>",
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, history string) {
		got, err := Replay(history)
		want, wantOK := referenceReplay(history)
		if (err == nil) != wantOK {
			t.Fatalf("Replay(%q) error %v, reference ok=%v", history, err, wantOK)
		}
		if err == nil && got != want {
			t.Fatalf("Replay(%q) = %q, reference %q", history, got, want)
		}

		if utf8.ValidString(history) {
			escaped := strings.ReplaceAll(history, "<", "<<")
			if text, err := Replay(escaped); err != nil || text != history {
				t.Fatalf("Replay(escaped %q) = %q, %v", history, text, err)
			}
		}
	})
}

// referenceReplay is the grammar implemented as directly as possible on a
// rune slice, for comparison.
func referenceReplay(history string) (string, bool) {
	if !utf8.ValidString(history) {
		return "", false
	}
	var text []rune
	cursor, anchor := 0, 0
	inPaste := false

	cut := func() {
		start, end := min(cursor, anchor), max(cursor, anchor)
		text = append(text[:start:start], text[end:]...)
		cursor, anchor = start, start
	}
	insert := func(r rune) {
		cut()
		text = append(text[:cursor:cursor], append([]rune{r}, text[cursor:]...)...)
		cursor++
		anchor = cursor
	}
	position := func(s string) (int, bool) {
		if s == "" || len(s) > 9 || strings.Trim(s, "0123456789") != "" {
			return 0, false
		}
		n, _ := strconv.Atoi(s)
		return n, n <= len(text)
	}

	rest := history
	for rest != "" {
		if strings.HasPrefix(rest, "<<") {
			insert('<')
			rest = rest[2:]
			continue
		}
		if rest[0] != '<' {
			r, size := utf8.DecodeRuneInString(rest)
			insert(r)
			rest = rest[size:]
			continue
		}
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			return "", false
		}
		token := rest[1:end]
		rest = rest[end+1:]
		if inPaste && token != "/PASTE" {
			return "", false
		}
		switch {
		case token == "BS":
			if cursor != anchor {
				cut()
			} else if cursor > 0 {
				anchor = cursor - 1
				cut()
			}
		case token == "DEL":
			if cursor != anchor {
				cut()
			} else if cursor < len(text) {
				anchor = cursor + 1
				cut()
			}
		case token == "CUT":
			cut()
		case token == "PASTE":
			inPaste = true
		case token == "/PASTE":
			if !inPaste {
				return "", false
			}
			inPaste = false
		case strings.HasPrefix(token, "@"):
			from, to, isRange := strings.Cut(token[1:], "-")
			n, ok := position(from)
			if !ok {
				return "", false
			}
			if !isRange {
				cursor, anchor = n, n
				continue
			}
			m, ok := position(to)
			if !ok || n >= m {
				return "", false
			}
			anchor, cursor = n, m
		default:
			return "", false
		}
	}
	if inPaste {
		return "", false
	}
	return string(text), true
}
