// Package webhook parses the survey completion notices that survey tools
// send to Hearth: REDCap's Data Entry Trigger and Hearth's own JSON form.
// It checks shape only, and the caller maps the ids to records.
package webhook

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxIDLength is the longest record id, participant id, instrument or event
// name accepted, in bytes. It matches the length of the users.external_id
// and assessments.redcap_* fields.
const MaxIDLength = 100

// FieldErrors maps an input field name to a sentence saying what is wrong
// with it. It is returned when input is rejected.
type FieldErrors map[string]string

// Error lists the fields and their problems in name order.
func (fe FieldErrors) Error() string {
	names := make([]string, 0, len(fe))
	for name := range fe {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + ": " + fe[name]
	}
	return "invalid webhook input: " + strings.Join(parts, "; ")
}

// redcapName matches REDCap's unique instrument and event names, which
// REDCap builds from lowercase letters, digits and underscores.
var redcapName = regexp.MustCompile(`^[a-z0-9_]+$`)

// checkID returns a sentence describing what is wrong with an id, or "".
func checkID(value string, required bool) string {
	switch {
	case value == "" && required:
		return "Missing value."
	case len(value) > MaxIDLength:
		return fmt.Sprintf("Longer than %d bytes.", MaxIDLength)
	case !utf8.ValidString(value):
		return "Not valid UTF-8 text."
	case strings.TrimSpace(value) != value:
		return "Has spaces around it."
	}
	for _, r := range value {
		if unicode.IsControl(r) {
			return "Contains a control character."
		}
	}
	return ""
}
