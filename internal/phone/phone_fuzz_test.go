package phone

import (
	"errors"
	"regexp"
	"testing"
)

// e164Pattern is the pattern the users.phone field enforces, so anything
// Parse accepts must also be storable.
var e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// FuzzParse checks that Parse never panics, returns only its documented
// errors, and that what it accepts is storable E.164 that parses to itself.
// Plain `go test` replays the seeds below and those in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"+1 650 253 0000", "(650) 253-0000", "650.253.0000", "0016502530000",
		"＋１ ６５０ ２５３ ００００", "+44 20 7946 0958", "+81 3-1234-5678",
		"", " ", "+", "00", "++1", "+1 650 253 0000 ext. 12", "tel:+1-650-253-0000",
		"1-800-FLOWERS", "+999 123", "\x00\xff", "+1\u200b650 253 0000",
		"+1 650 253 0000\n+44 20 7946 0958", "-" + string(make([]byte, 60)),
	} {
		f.Add(seed)
	}

	parser, err := NewParser("US", []string{"US", "CA", "GB", "DE", "FR", "JP"})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, typed string) {
		e164, err := parser.Parse(typed)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrCountryNotAllowed) {
				t.Fatalf("Parse(%q) returned an undocumented error: %v", typed, err)
			}
			if e164 != "" {
				t.Fatalf("Parse(%q) returned %q together with error %v", typed, e164, err)
			}
			return
		}

		if !e164Pattern.MatchString(e164) {
			t.Fatalf("Parse(%q) = %q, which the users.phone pattern rejects", typed, e164)
		}
		again, err := parser.Parse(e164)
		if err != nil || again != e164 {
			t.Fatalf("Parse(%q) = %q, but parsing that again gives %q, %v", typed, e164, again, err)
		}
	})
}
