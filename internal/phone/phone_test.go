package phone_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/phone"
)

func newParser(t *testing.T) *phone.Parser {
	t.Helper()
	parser, err := phone.NewParser("US", []string{"US", "CA", "GB", "DE", "FR", "JP"})
	if err != nil {
		t.Fatal(err)
	}
	return parser
}

func TestParseWritingVariants(t *testing.T) {
	parser := newParser(t)
	cases := []struct {
		typed, want string
	}{
		{"6502530002", "+16502530002"},
		{"650 253 0002", "+16502530002"},
		{"650-253-0002", "+16502530002"},
		{"650.253.0002", "+16502530002"},
		{"(650) 253-0002", "+16502530002"},
		{"[650] 253-0002", "+16502530002"},
		{"650/253/0002", "+16502530002"},
		{"1 (650) 253-0002", "+16502530002"},
		{"  650 253 0002  ", "+16502530002"},
		{"+1 650 253 0002", "+16502530002"},
		{"+1-650-253-0002", "+16502530002"},
		{"+1.650.253.0002", "+16502530002"},
		{"+16502530002", "+16502530002"},
		{"001 650 253 0002", "+16502530002"},
		{"0016502530002", "+16502530002"},
		{"00 1 650-253-0002", "+16502530002"},
		{"tel:+16502530002", "+16502530002"},
		// Full-width digits, plus sign and spaces, as CJK keyboards type them.
		{"６５０２５３０００２", "+16502530002"},
		{"＋１ ６５０ ２５３ ０００２", "+16502530002"},
		{"（６５０）２５３－０００２", "+16502530002"},
		{"００１６５０２５３０００２", "+16502530002"},
		// Other allowed countries, international and with 00.
		{"+1 416 555 0123", "+14165550123"},
		{"+44 20 7946 0958", "+442079460958"},
		{"0044 20 7946 0958", "+442079460958"},
		{"+44 (0)20 7946 0958", "+442079460958"},
		{"+49 30 901820", "+4930901820"},
		{"+33 1 42 68 53 00", "+33142685300"},
		{"+81 3-3224-5000", "+81332245000"},
	}
	for i, c := range cases {
		got, err := parser.Parse(c.typed)
		if err != nil {
			t.Errorf("%d: Parse(%q): unexpected error %v", i, c.typed, err)
			continue
		}
		if got != c.want {
			t.Errorf("%d: Parse(%q): got %q, want %q", i, c.typed, got, c.want)
		}
	}
}

func TestParseRejectsInvalid(t *testing.T) {
	parser := newParser(t)
	cases := []string{
		"",
		"   ",
		"abc",
		"12345",
		"555-0100",         // no area code
		"+1 650 253 000",   // one digit short
		"+1 650 253 00021", // one digit long
		"+1 000 253 0002",  // no such area code
		"044 20 7946 0958", // a national UK number read as a US one
		"+999 1234 5678",   // no such country code
		strings.Repeat("1", 41),
	}
	for i, typed := range cases {
		got, err := parser.Parse(typed)
		if !errors.Is(err, phone.ErrInvalid) {
			t.Errorf("%d: Parse(%q): got %q, %v; want ErrInvalid", i, typed, got, err)
		}
	}
}

func TestParseRejectsCountryNotAllowed(t *testing.T) {
	parser := newParser(t)
	cases := []string{
		"+61 2 9374 4000",  // Australia
		"0061 2 9374 4000", // Australia with 00
		"+52 55 5080 2000", // Mexico
		"+91 22 2202 2222", // India
	}
	for i, typed := range cases {
		got, err := parser.Parse(typed)
		if !errors.Is(err, phone.ErrCountryNotAllowed) {
			t.Errorf("%d: Parse(%q): got %q, %v; want ErrCountryNotAllowed", i, typed, got, err)
		}
	}
}

func TestParseDefaultRegionOnly(t *testing.T) {
	parser, err := phone.NewParser("gb", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := parser.Parse("020 7946 0958"); err != nil || got != "+442079460958" {
		t.Errorf("national UK number: got %q, %v", got, err)
	}
	if _, err := parser.Parse("+1 650 253 0002"); !errors.Is(err, phone.ErrCountryNotAllowed) {
		t.Errorf("US number with only GB allowed: got %v, want ErrCountryNotAllowed", err)
	}
}

func TestNewParserRejectsUnknownRegions(t *testing.T) {
	if _, err := phone.NewParser("XX", nil); err == nil {
		t.Error("default region XX: got no error")
	}
	if _, err := phone.NewParser("US", []string{"US", "ZZ"}); err == nil {
		t.Error("allowed region ZZ: got no error")
	}
}
