package hooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	validation "github.com/go-ozzo/ozzo-validation/v4"
)

// Limits on one POST of actions. Bodies count Unicode code points; the
// keystroke history counts bytes.
const (
	maxItemsPerPost        = 100
	maxBodyChars           = 4000
	maxWhiteboardChars     = 20000
	maxCharacterHistory    = 64 * 1024
	maxClientIDChars       = 100
	maxRecipientsPerAction = 100
)

// Item types a client may send; "post" creates a "message".
const itemPost = "post"

// reactionIcons are the reactions a member may add to a message.
var reactionIcons = map[string]bool{
	"heart": true, "thumbs_up": true, "smile": true, "sad": true, "hug": true, "clap": true,
}

// actionItem is one element of the POST body, decoded and checked for its
// shape; checks that need the database come later.
type actionItem struct {
	ClientID         string
	ClientTS         time.Time
	Type             string
	Body             string
	HasBody          bool
	Recipients       []string
	TimeToComplete   float64
	CharacterHistory string
	Target           int
	Icon             string
	Remove           bool
	// TypingRecorded is true when the item carried time_to_complete or
	// character_history, even as 0 or "".
	TypingRecorded bool
}

// storedType is the action type the item creates.
func (item *actionItem) storedType() string {
	if item.Type == itemPost {
		return actionMessage
	}
	return item.Type
}

// parseActionItems decodes the POST body. It returns the items, or the
// errors by item index and field, in the form PocketBase uses for field
// errors: {"3": {"body": {"code": …, "message": …}}}.
func parseActionItems(raw []byte) ([]*actionItem, validation.Errors, error) {
	rawItems, err := splitJSONArray(raw, maxItemsPerPost+1)
	if err != nil {
		return nil, nil, err
	}
	if len(rawItems) > maxItemsPerPost {
		// The caller refuses the batch by its length alone. Decoding every
		// item first would let a body of a few megabytes allocate gigabytes.
		return make([]*actionItem, len(rawItems)), nil, nil
	}

	items := make([]*actionItem, len(rawItems))
	problems := validation.Errors{}
	seenClientIDs := map[string]int{}
	for i, rawItem := range rawItems {
		item, fieldErrors := parseActionItem(rawItem)
		if item != nil && item.ClientID != "" {
			if first, seen := seenClientIDs[item.ClientID]; seen {
				fieldErrors["client_id"] = validation.NewError("validation_duplicate_client_id",
					"The same client_id is already used by item "+strconv.Itoa(first)+" of this request.")
			}
			seenClientIDs[item.ClientID] = i
		}
		if len(fieldErrors) > 0 {
			problems[strconv.Itoa(i)] = fieldErrors
		}
		items[i] = item
	}
	return items, problems, nil
}

// splitJSONArray returns the elements of the JSON array in raw, at most limit
// of them: it stops reading once it has limit elements. A JSON null is an
// empty array, as json.Unmarshal reads it.
func splitJSONArray(raw []byte, limit int) ([]json.RawMessage, error) {
	decoder := json.NewDecoder(bytes.NewReader(raw))
	start, err := decoder.Token()
	if err != nil {
		return nil, err
	}
	if start == nil {
		return nil, expectEnd(decoder)
	}
	if delim, ok := start.(json.Delim); !ok || delim != '[' {
		return nil, errors.New("the body is not a JSON array")
	}

	var elements []json.RawMessage
	for decoder.More() {
		if len(elements) == limit {
			return elements, nil
		}
		var element json.RawMessage
		if err := decoder.Decode(&element); err != nil {
			return nil, err
		}
		elements = append(elements, element)
	}
	if _, err := decoder.Token(); err != nil {
		return nil, err
	}
	return elements, expectEnd(decoder)
}

// expectEnd reports an error when anything but white space follows the
// decoded value, as json.Unmarshal does.
func expectEnd(decoder *json.Decoder) error {
	if _, err := decoder.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON array")
	}
	return nil
}

func parseActionItem(raw json.RawMessage) (*actionItem, validation.Errors) {
	problems := validation.Errors{}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		problems["type"] = validation.NewError("validation_invalid_item", "Each item must be a JSON object.")
		return nil, problems
	}
	for name, value := range fields {
		if !validJSONText(value) {
			problems[name] = validation.NewError("validation_invalid_utf8", "The text is not valid UTF-8.")
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}

	item := &actionItem{}
	decode := func(name string, target any, message string) bool {
		value, ok := fields[name]
		if !ok || string(value) == "null" {
			return false
		}
		if err := json.Unmarshal(value, target); err != nil {
			problems[name] = validation.NewError("validation_invalid_type", message)
			return false
		}
		return true
	}

	decode("client_id", &item.ClientID, "Must be a string.")
	decode("type", &item.Type, "Must be a string.")
	item.HasBody = decode("body", &item.Body, "Must be a string.")
	decode("recipients", &item.Recipients, "Must be an array of user ids.")
	hasTime := decode("time_to_complete", &item.TimeToComplete, "Must be a number of seconds.")
	hasHistory := decode("character_history", &item.CharacterHistory, "Must be a string.")
	item.TypingRecorded = hasTime || hasHistory
	decode("icon", &item.Icon, "Must be a string.")
	decode("remove", &item.Remove, "Must be true or false.")

	var clientTS string
	if decode("client_ts", &clientTS, "Must be an RFC 3339 date and time.") {
		parsed, err := time.Parse(time.RFC3339Nano, clientTS)
		if err != nil {
			problems["client_ts"] = validation.NewError("validation_invalid_datetime", "Must be an RFC 3339 date and time.")
		}
		item.ClientTS = parsed
	}
	if value, ok := fields["target"]; ok && string(value) != "null" {
		target, ok := parseTarget(value)
		if !ok {
			problems["target"] = validation.NewError("validation_invalid_target", "Must be the id of an action.")
		}
		item.Target = target
	}

	checkItemFields(item, problems)
	return item, problems
}

// parseTarget accepts an action id as a JSON number or a numeric string.
func parseTarget(raw json.RawMessage) (int, bool) {
	text := strings.Trim(string(raw), `"`)
	target, err := strconv.Atoi(text)
	return target, err == nil && target >= 1
}

// checkItemFields checks what an item's type requires, without the database.
func checkItemFields(item *actionItem, problems validation.Errors) {
	required := func(name string) {
		if _, done := problems[name]; !done {
			problems[name] = validation.NewError("validation_required", "Cannot be blank.")
		}
	}
	tooLong := func(name string, max int) {
		problems[name] = validation.NewError("validation_max_text_constraint",
			"Must be no more than "+strconv.Itoa(max)+" characters.")
	}

	switch n := utf8.RuneCountInString(item.ClientID); {
	case n == 0:
		required("client_id")
	case n > maxClientIDChars:
		tooLong("client_id", maxClientIDChars)
	}

	switch item.Type {
	case itemPost, actionNotice:
		if strings.TrimSpace(item.Body) == "" {
			required("body")
		} else if utf8.RuneCountInString(item.Body) > maxBodyChars {
			tooLong("body", maxBodyChars)
		}
	case actionWhiteboard:
		if !item.HasBody {
			required("body")
		} else if utf8.RuneCountInString(item.Body) > maxWhiteboardChars {
			tooLong("body", maxWhiteboardChars)
		}
	case actionDelete, actionMessageRead:
		if item.Target == 0 {
			required("target")
		}
	case actionReaction:
		if item.Target == 0 {
			required("target")
		}
		if !reactionIcons[item.Icon] {
			problems["icon"] = validation.NewError("validation_unknown_icon",
				"Must be one of heart, thumbs_up, smile, sad, hug, clap.")
		}
	case "":
		required("type")
	default:
		problems["type"] = validation.NewError("validation_unknown_type",
			"Must be one of post, delete, notice, message_read, reaction, whiteboard.")
	}

	if item.Type != itemPost {
		return
	}
	if len(item.Recipients) > maxRecipientsPerAction {
		problems["recipients"] = validation.NewError("validation_too_many_recipients",
			"Must name at most "+strconv.Itoa(maxRecipientsPerAction)+" recipients.")
	}
	if item.TimeToComplete < 0 {
		problems["time_to_complete"] = validation.NewError("validation_min_number_constraint", "Must be at least 0.")
	}
	if len(item.CharacterHistory) > maxCharacterHistory {
		problems["character_history"] = validation.NewError("validation_max_text_constraint",
			"Must be no more than 65536 bytes.")
	}
}

// validJSONText reports whether a raw JSON value is valid UTF-8 and has no
// unpaired UTF-16 surrogate escape. encoding/json would otherwise replace
// either silently with U+FFFD and store text the client never sent.
func validJSONText(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		unit, ok := hexUnit(raw, i+2)
		if !ok {
			return false
		}
		switch {
		case unit >= 0xDC00 && unit <= 0xDFFF:
			return false
		case unit >= 0xD800 && unit <= 0xDBFF:
			low, ok := hexUnit(raw, i+8)
			if !ok || !bytes.HasPrefix(raw[i+6:], []byte(`\u`)) || low < 0xDC00 || low > 0xDFFF {
				return false
			}
			i += 11
		default:
			i += 5
		}
	}
	return true
}

func hexUnit(raw []byte, start int) (int, bool) {
	if start+4 > len(raw) {
		return 0, false
	}
	unit, err := strconv.ParseUint(string(raw[start:start+4]), 16, 32)
	return int(unit), err == nil
}
