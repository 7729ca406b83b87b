// Package keystrokes replays a message's keystroke history (its
// character_history) to rebuild the text it produced.
//
// The grammar, for a history recorded from a text field:
//
//   - Positions count Unicode code points of the current text. The cursor
//     starts at 0 with no selection.
//   - Any character other than '<' is inserted at the cursor, replacing the
//     selection if there is one, and the cursor moves after it. A newline is
//     a literal "\n". "<<" inserts a literal '<'.
//   - "<BS>" deletes the selection, or else the code point before the cursor.
//   - "<DEL>" deletes the selection, or else the code point after the cursor.
//   - "<@N>" moves the cursor to N and clears the selection. "<@N-M>" selects
//     N..M (N < M) and puts the cursor at M.
//   - "<PASTE>" … "</PASTE>" wraps pasted text. It is inserted like typed
//     text; inside it only plain characters and "<<" may appear.
//   - "<CUT>" deletes the selection, as a cut to the clipboard does.
//
// Anything else after '<', a position beyond the end of the text, an empty
// or reversed selection, and an unclosed "<PASTE>" are syntax errors.
// "<BS>" at the start of the text, "<DEL>" at its end and "<CUT>" without a
// selection change nothing, as in a browser text field.
package keystrokes

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxPositionDigits bounds the digits of a position so that parsing cannot
// overflow an int; no history within the server's size limit can reach
// a position that long.
const maxPositionDigits = 9

// SyntaxError is a history that does not follow the grammar.
type SyntaxError struct {
	// Offset is the byte offset in the history where the problem starts.
	Offset int
	// Reason says what is wrong, in lowercase.
	Reason string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("keystroke history: %s at byte %d", e.Reason, e.Offset)
}

// Replay rebuilds the text a keystroke history produces. It returns a
// *SyntaxError for a history that does not follow the grammar, or that is
// not valid UTF-8.
func Replay(history string) (string, error) {
	if !utf8.ValidString(history) {
		return "", &SyntaxError{Offset: firstInvalidByte(history), Reason: "invalid UTF-8"}
	}

	editor := newEditor(len(history))
	inPaste := false
	pasteStart := 0

	for i := 0; i < len(history); {
		if history[i] != '<' {
			r, size := utf8.DecodeRuneInString(history[i:])
			editor.insert(r)
			i += size
			continue
		}

		token, next, err := readToken(history, i)
		if err != nil {
			return "", err
		}

		if inPaste && token != "<" && token != "/PASTE" {
			return "", &SyntaxError{Offset: i, Reason: fmt.Sprintf("<%s> inside a paste", token)}
		}

		switch {
		case token == "<":
			editor.insert('<')
		case token == "BS":
			editor.backspace()
		case token == "DEL":
			editor.deleteForward()
		case token == "CUT":
			editor.deleteSelection()
		case token == "PASTE":
			inPaste, pasteStart = true, i
		case token == "/PASTE":
			if !inPaste {
				return "", &SyntaxError{Offset: i, Reason: "</PASTE> without <PASTE>"}
			}
			inPaste = false
		case strings.HasPrefix(token, "@"):
			if err := editor.applyPosition(token[1:]); err != nil {
				return "", &SyntaxError{Offset: i, Reason: err.Error()}
			}
		default:
			return "", &SyntaxError{Offset: i, Reason: fmt.Sprintf("unknown token <%s>", token)}
		}
		i = next
	}

	if inPaste {
		return "", &SyntaxError{Offset: pasteStart, Reason: "<PASTE> without </PASTE>"}
	}
	return editor.String(), nil
}

// readToken reads the token that starts with the '<' at history[start]. It
// returns "<" for the escape "<<", otherwise the text between '<' and '>',
// and the offset just after the token.
func readToken(history string, start int) (string, int, error) {
	if start+1 < len(history) && history[start+1] == '<' {
		return "<", start + 2, nil
	}
	end := strings.IndexByte(history[start+1:], '>')
	if end < 0 {
		return "", 0, &SyntaxError{Offset: start, Reason: "unterminated token"}
	}
	return history[start+1 : start+1+end], start + end + 2, nil
}

// applyPosition handles the part of "<@N>" or "<@N-M>" after the '@'.
func (e *editor) applyPosition(spec string) error {
	first, second, isSelection := strings.Cut(spec, "-")
	from, err := parsePosition(first)
	if err != nil {
		return err
	}
	if from > e.length() {
		return fmt.Errorf("position %d beyond the text of length %d", from, e.length())
	}
	if !isSelection {
		e.cursor, e.anchor = from, from
		return nil
	}

	to, err := parsePosition(second)
	if err != nil {
		return err
	}
	if to > e.length() {
		return fmt.Errorf("position %d beyond the text of length %d", to, e.length())
	}
	if from >= to {
		return fmt.Errorf("selection %d-%d does not run forward", from, to)
	}
	e.anchor, e.cursor = from, to
	return nil
}

func parsePosition(digits string) (int, error) {
	if digits == "" || len(digits) > maxPositionDigits {
		return 0, fmt.Errorf("invalid position %q", digits)
	}
	n := 0
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("invalid position %q", digits)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func firstInvalidByte(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}
