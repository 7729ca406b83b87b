package namefold_test

import (
	"testing"

	"github.com/hearth-research/hearth/internal/namefold"
)

func TestEqualSpellingVariants(t *testing.T) {
	cases := []struct {
		enrolled, typed string
	}{
		// Case.
		{"Okafor", "okafor"},
		{"Okafor", "OKAFOR"},
		{"McDonald", "mcdonald"},
		// Accents, precomposed or typed as combining marks.
		{"Müller", "Muller"},
		{"Müller", "MULLER"},
		{"Mu\u0308ller", "Müller"},
		{"García", "Garcia"},
		{"Nguyễn", "nguyen"},
		{"Žižek", "Zizek"},
		{"Ångström", "angstrom"},
		{"François", "FRANCOIS"},
		// Full case folding.
		{"Straße", "STRASSE"},
		{"Σωκράτης", "ΣΩΚΡΑΤΗΣ"},
		// Surrounding and repeated white space.
		{"de la Cruz", "  de la Cruz  "},
		{"de la Cruz", "De  La\tCruz"},
		{"de la Cruz", "de\u00a0la cruz"},
		// Apostrophe variants.
		{"O'Brien", "O’Brien"},
		{"O'Brien", "O‘Brien"},
		{"O'Brien", "Oʼbrien"},
		{"O'Brien", "O`Brien"},
		{"O'Brien", "O´Brien"},
		{"O'Brien", "O＇Brien"},
		// Hyphen and dash variants.
		{"Smith-Jones", "Smith–Jones"},
		{"Smith-Jones", "Smith—Jones"},
		{"Smith-Jones", "Smith‐Jones"},
		{"Smith-Jones", "Smith‑Jones"},
		{"Smith-Jones", "Smith−Jones"},
		{"Smith-Jones", "smith－jones"},
		// Letters with a stroke or ligature, and full-width Latin letters.
		{"Łukasz", "Lukasz"},
		{"Øre", "Ore"},
		{"Đoković", "Dokovic"},
		{"Ærø", "AERO"},
		{"Müller", "Ｍｕｌｌｅｒ"},
	}
	for i, c := range cases {
		if !namefold.Equal(c.enrolled, c.typed) {
			t.Errorf("%d: Equal(%q, %q) = false, want true (keys %q and %q)",
				i, c.enrolled, c.typed, namefold.Key(c.enrolled), namefold.Key(c.typed))
		}
	}
}

func TestEqualDifferentNames(t *testing.T) {
	cases := [][2]string{
		{"O'Brien", "OBrien"},
		{"O'Brien", "O Brien"},
		{"Smith-Jones", "Smith Jones"},
		{"Smith-Jones", "SmithJones"},
		{"Müller", "Mueller"},
		{"Anders", "Andersen"},
		{"Lee", "Le"},
		{"Lee", "Lee Lee"},
	}
	for i, c := range cases {
		if namefold.Equal(c[0], c[1]) {
			t.Errorf("%d: Equal(%q, %q) = true, want false", i, c[0], c[1])
		}
	}
}

func TestEqualEmptyNeverMatches(t *testing.T) {
	cases := [][2]string{{"", ""}, {"", "  "}, {" ", "\t"}, {"\u200b", ""}}
	for i, c := range cases {
		if namefold.Equal(c[0], c[1]) {
			t.Errorf("%d: Equal(%q, %q) = true, want false", i, c[0], c[1])
		}
	}
}

func TestKeyForms(t *testing.T) {
	cases := []struct{ in, want string }{
		{"  O’Brien  ", "o'brien"},
		{"Smith – Jones", "smith - jones"},
		{"Müller", "muller"},
		{"de\tla\n\nCruz", "de la cruz"},
	}
	for i, c := range cases {
		if got := namefold.Key(c.in); got != c.want {
			t.Errorf("%d: Key(%q) = %q, want %q", i, c.in, got, c.want)
		}
	}
}
