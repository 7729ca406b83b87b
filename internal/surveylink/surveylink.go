// Package surveylink fills survey link templates for one participant and
// therapy session.
//
// A template is an absolute http or https URL in which placeholders in
// braces stand for values that Hearth fills in:
//
//	{participant}  the participant's users record id
//	{session}      the therapy_sessions record id
//	{assessment}   the assessments record id
//	{external_id}  the participant's external id (for example a REDCap record id)
//
// Values are escaped for where they stand: as a path segment before the
// first "?" and as a query value after it, so a value can never add a path
// step, a query parameter or a fragment. The phone number, last name and
// alias are deliberately not offered: survey tools store the links they are
// opened with, and those should carry only pseudonymous ids.
//
// Braces are not valid in URLs (RFC 3986), so every brace in a template is
// read as part of a placeholder, and Validate rejects unknown names and
// unbalanced braces. Fill leaves unknown placeholders as they are, for
// templates saved before a placeholder was removed.
package surveylink

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Placeholder names that Fill replaces.
const (
	Participant = "participant"
	Session     = "session"
	Assessment  = "assessment"
	ExternalID  = "external_id"
)

// Names lists every placeholder name Fill replaces, in the order the
// documentation gives them.
var Names = []string{Participant, Session, Assessment, ExternalID}

// Values are the values of the placeholders, keyed by placeholder name.
type Values map[string]string

// Fill returns template with every known placeholder replaced by its escaped
// value. A known placeholder without a value (an unset external id) becomes
// empty. Unknown placeholders and stray braces are copied unchanged.
func Fill(template string, values Values) string {
	var out strings.Builder
	out.Grow(len(template) + 64)
	inQuery := false

	for i := 0; i < len(template); {
		c := template[i]
		if c == '?' || c == '#' {
			inQuery = true
		}
		if c != '{' {
			out.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(template[i+1:], '}')
		if end < 0 {
			out.WriteString(template[i:])
			break
		}
		name := template[i+1 : i+1+end]
		if !isKnown(name) {
			out.WriteByte(c)
			i++
			continue
		}
		if inQuery {
			out.WriteString(url.QueryEscape(values[name]))
		} else {
			out.WriteString(url.PathEscape(values[name]))
		}
		i += end + 2
	}
	return out.String()
}

// Validate reports whether template is an absolute http or https URL whose
// placeholders are all known. The error is a sentence fit to show staff.
func Validate(template string) error {
	if strings.TrimSpace(template) != template {
		return errors.New("Remove the spaces around the link.")
	}
	rest := template
	for {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			break
		}
		if rest[open] == '}' {
			return errors.New("The link has a closing brace without an opening one.")
		}
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] == '{' {
			return errors.New("The link has an opening brace without a closing one.")
		}
		name := rest[open+1 : open+1+end]
		if !isKnown(name) {
			return fmt.Errorf("The link has an unknown placeholder {%s}; use one of %s.", name, placeholderList())
		}
		rest = rest[open+1+end+1:]
	}

	// Check the shape of the link with sample values in place, since the
	// placeholders themselves are not valid URL characters.
	filled := Fill(template, Values{Participant: "p", Session: "s", Assessment: "a", ExternalID: "x"})
	parsed, err := url.Parse(filled)
	if err != nil || parsed.Host == "" || (parsed.Scheme != "http" && parsed.Scheme != "https") {
		return errors.New("The link must be a full http or https address, e.g. https://survey.example.org/s/abc?participant={participant}.")
	}
	return nil
}

func isKnown(name string) bool {
	for _, known := range Names {
		if name == known {
			return true
		}
	}
	return false
}

func placeholderList() string {
	braced := make([]string, len(Names))
	for i, name := range Names {
		braced[i] = "{" + name + "}"
	}
	return strings.Join(braced, ", ")
}
