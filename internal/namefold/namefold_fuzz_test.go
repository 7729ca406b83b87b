package namefold

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzKey checks the properties sign-in relies on when it compares a typed
// last name with the enrolled one: Key never panics, returns valid UTF-8
// without stray white space, ignores ASCII case and Unicode normalisation
// form, and Equal is symmetric. Plain `go test` replays the seeds below and
// those in testdata/fuzz/FuzzKey.
func FuzzKey(f *testing.F) {
	for _, seed := range []string{
		"O’Brien", " o'brien ", "Müller", "MULLER", "Smith–Jones", "İstanbul", "ǅuro",
		"Straße", "ΌΣΟΣ", "\u0301", "a\u0301\u0301", "\x00", "\xff\xfe", " \t\n ",
		"<script>alert(1)</script>", "Nguyễn", "李", "\u200bLee\u200d", "\U0001F600",
		"ﬀ", "K\u212a", "A\u030a\u212b",
	} {
		f.Add(seed, "")
	}
	f.Add("Anders", "anders")
	f.Add("de la Cruz", "De  La\tCruz")

	f.Fuzz(func(t *testing.T, a, b string) {
		key := Key(a)

		if !utf8.ValidString(key) {
			t.Fatalf("Key(%q) = %q, which is not valid UTF-8", a, key)
		}
		if strings.TrimSpace(key) != key || strings.Contains(key, "  ") {
			t.Fatalf("Key(%q) = %q has stray white space", a, key)
		}
		for _, r := range key {
			if unicode.IsSpace(r) && r != ' ' {
				t.Fatalf("Key(%q) = %q contains white space other than ' '", a, key)
			}
		}

		if swapped := swapASCIICase(a); Key(swapped) != key {
			t.Fatalf("Key(%q) = %q but Key(%q) = %q", a, key, swapped, Key(swapped))
		}
		if utf8.ValidString(a) {
			composed, decomposed := Key(norm.NFC.String(a)), Key(norm.NFD.String(a))
			if composed != decomposed {
				t.Fatalf("Key of %q differs between NFC (%q) and NFD (%q)", a, composed, decomposed)
			}
		}

		if Equal(a, b) != Equal(b, a) {
			t.Fatalf("Equal(%q, %q) is not symmetric", a, b)
		}
		if Equal(a, a) != (key != "") {
			t.Fatalf("Equal(%q, itself) = %v with key %q", a, Equal(a, a), key)
		}
	})
}

func swapASCIICase(s string) string {
	out := []byte(s)
	for i, c := range out {
		switch {
		case 'a' <= c && c <= 'z':
			out[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			out[i] = c - 'A' + 'a'
		}
	}
	return string(out)
}
