// Package namefold computes the key under which two spellings of a last name
// count as the same: "O’Brien", " o'brien " and "OBRIEN" differ, but
// "Müller", "MULLER" and "muller" share one key, as do "Smith-Jones" and
// "Smith–Jones".
package namefold

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// strokedLetters maps letters that carry a stroke or ligature, which Unicode
// does not decompose into a base letter and a mark, to the letters people
// type in their place on a keyboard without them. Keys are lowercase, since
// the mapping runs after case folding.
var strokedLetters = strings.NewReplacer(
	"ł", "l", "ø", "o", "đ", "d", "ħ", "h", "ŧ", "t", "ı", "i", "ƚ", "l",
	"æ", "ae", "œ", "oe", "þ", "th",
)

// apostrophes and dashes lists the characters people and keyboards use in
// names for the ASCII apostrophe and hyphen.
var (
	apostrophes = "'\u2018\u2019\u201B\u02BC\u02B9\u0060\u00B4\u2032\uFF07"
	dashes      = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D"
)

// Key returns the folded form of name: Unicode NFC, full case folding,
// accents removed, full-width letters narrowed, letters with a stroke (Ł, Ø,
// Đ) mapped to their plain letter, apostrophe and dash variants unified to "'" and "-", and
// white space trimmed and collapsed to one space. Two names match when their
// keys are equal.
func Key(name string) string {
	// Full-width Latin letters (typed on CJK keyboards) become ASCII; then
	// decompose, drop combining marks (the accents), and recompose.
	stripAccents := transform.Chain(width.Fold, norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(stripAccents, name)
	if err != nil {
		folded = norm.NFC.String(name)
	}
	folded = strokedLetters.Replace(cases.Fold().String(folded))

	var b strings.Builder
	b.Grow(len(folded))
	pendingSpace := false
	for _, r := range folded {
		switch {
		case unicode.IsSpace(r):
			pendingSpace = b.Len() > 0
			continue
		case strings.ContainsRune(apostrophes, r):
			r = '\''
		case strings.ContainsRune(dashes, r):
			r = '-'
		case !unicode.IsPrint(r):
			continue
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Equal reports whether a and b fold to the same non-empty key.
func Equal(a, b string) bool {
	keyA := Key(a)
	return keyA != "" && keyA == Key(b)
}
