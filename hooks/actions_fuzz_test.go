package hooks

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseActionItems feeds arbitrary bodies to the action batch decoder.
// It checks that the decoder never panics and never returns more items than
// it takes to refuse a batch. A batch it accepts must respect every
// documented limit, so that nothing invalid reaches the database. Plain
// `go test` replays the seeds below and those in
// testdata/fuzz/FuzzParseActionItems.
func FuzzParseActionItems(f *testing.F) {
	for _, seed := range []string{
		`[{"client_id":"a","client_ts":"2026-01-01T10:00:00Z","type":"post","body":"hi","recipients":[],"time_to_complete":1.5,"character_history":"hi"}]`,
		`[{"client_id":"b","type":"reaction","target":3,"icon":"heart","remove":true}]`,
		`[{"client_id":"c","type":"delete","target":"2"},{"client_id":"d","type":"message_read","target":2}]`,
		`[{"client_id":"e","type":"whiteboard","body":""},{"client_id":"f","type":"notice","body":"Break"}]`,
		`[{"client_id":"g","type":"post","body":"smile \ud83d\ude00 \u00e9"}]`,
		`[{"client_id":"h","type":"post","body":"half \ud800"}]`,
		`[{"client_id":"i","type":"post","body":"\\ud800 is text"}]`,
		`[{"client_id":"j","type":"post","body":"x","time_to_complete":-0}]`,
		`[{"client_id":"k","type":"post","body":"x","time_to_complete":1e308}]`,
		"[{\"client_id\":\"l\",\"type\":\"post\",\"body\":\"\xed\xa0\x80\"}]",
		`[{},{},{}]`, `[]`, `null`, `{}`, `[1]`, `[[[]]]`, `[{"client_id":null,"type":null}]`,
		`[{"client_id":"m","type":"post","body":"a","recipients":null,"target":0}]`,
		`[{"client_id":"n","type":"reaction","target":1.0,"icon":"heart"}]`,
		`[{"client_id":"o","type":"post","body":"a"}] trailing`,
		"[" + strings.Repeat(`{"client_id":"p","type":"post","body":"a"},`, 120) + "{}]",
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, raw []byte) {
		items, problems, err := parseActionItems(raw)
		if err != nil || len(problems) > 0 {
			return
		}
		if len(items) > maxItemsPerPost+1 {
			t.Fatalf("returned %d items; refusing a batch needs only %d", len(items), maxItemsPerPost+1)
		}
		if len(items) > maxItemsPerPost {
			return // refused by length
		}
		for i, item := range items {
			checkAcceptedItem(t, i, item)
		}
	})
}

// checkAcceptedItem fails t when an item that passed validation breaks a
// documented limit.
func checkAcceptedItem(t *testing.T, i int, item *actionItem) {
	t.Helper()
	if item == nil {
		t.Fatalf("item %d: accepted as nil", i)
	}
	if n := utf8.RuneCountInString(item.ClientID); n < 1 || n > maxClientIDChars {
		t.Fatalf("item %d: client_id of %d characters accepted", i, n)
	}
	for name, text := range map[string]string{"client_id": item.ClientID, "body": item.Body,
		"character_history": item.CharacterHistory, "icon": item.Icon} {
		if !utf8.ValidString(text) {
			t.Fatalf("item %d: %s %q is not valid UTF-8", i, name, text)
		}
	}
	for _, recipient := range item.Recipients {
		if !utf8.ValidString(recipient) {
			t.Fatalf("item %d: recipient %q is not valid UTF-8", i, recipient)
		}
	}

	switch item.Type {
	case itemPost, actionNotice:
		if strings.TrimSpace(item.Body) == "" || utf8.RuneCountInString(item.Body) > maxBodyChars {
			t.Fatalf("item %d: %s body of %d characters accepted", i, item.Type, utf8.RuneCountInString(item.Body))
		}
	case actionWhiteboard:
		if utf8.RuneCountInString(item.Body) > maxWhiteboardChars {
			t.Fatalf("item %d: whiteboard of %d characters accepted", i, utf8.RuneCountInString(item.Body))
		}
	case actionDelete, actionMessageRead:
		if item.Target < 1 {
			t.Fatalf("item %d: %s with target %d accepted", i, item.Type, item.Target)
		}
	case actionReaction:
		if item.Target < 1 || !reactionIcons[item.Icon] {
			t.Fatalf("item %d: reaction with target %d and icon %q accepted", i, item.Target, item.Icon)
		}
	default:
		t.Fatalf("item %d: type %q accepted", i, item.Type)
	}

	if item.Type == itemPost {
		if item.TimeToComplete < 0 || len(item.Recipients) > maxRecipientsPerAction ||
			len(item.CharacterHistory) > maxCharacterHistory {
			t.Fatalf("item %d: post beyond its limits accepted: time %v, %d recipients, history of %d bytes",
				i, item.TimeToComplete, len(item.Recipients), len(item.CharacterHistory))
		}
	}
}

// FuzzValidJSONText checks validJSONText against encoding/json: a JSON
// string it accepts must decode to exactly the text sent, so the decoded
// string contains U+FFFD only where the client wrote one.
func FuzzValidJSONText(f *testing.F) {
	for _, seed := range []string{
		`"plain"`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00\ud800"`, `"\\ud800"`, `"\\\ud800"`,
		`"\ufffd"`, "\"\xef\xbf\xbd\"", `"\u00e9\n\t\""`, `"\ud83d\u0041"`, `"\ud83d\\ude00"`,
		"\"\xff\"", `"\u12"`, `"\uD83D\uDE00"`,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, raw []byte) {
		var text string
		if json.Unmarshal(raw, &text) != nil || !validJSONText(raw) {
			return
		}
		if !utf8.ValidString(text) {
			t.Fatalf("validJSONText accepted %q, which decodes to invalid UTF-8", raw)
		}
		written := bytes.Count(raw, []byte("\uFFFD")) +
			bytes.Count(bytes.ToLower(raw), []byte(`\ufffd`))
		if decoded := strings.Count(text, "\uFFFD"); decoded > written {
			t.Fatalf("validJSONText accepted %q, which decodes with %d replacement characters the client did not write", raw, decoded-written)
		}
	})
}
