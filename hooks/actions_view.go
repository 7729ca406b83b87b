package hooks

import (
	"encoding/json"
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// Action types as stored and shown.
const (
	actionMessage     = "message"
	actionDelete      = "delete"
	actionNotice      = "notice"
	actionMessageRead = "message_read"
	actionReaction    = "reaction"
	actionWhiteboard  = "whiteboard"
)

// timestampLayout is RFC 3339 in UTC with milliseconds.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// viewer is who an action is shown to.
type viewer struct {
	userID    string
	therapist bool
}

// canSee reports whether v may see action. Therapists of the session see
// everything; others see an action whose visible_to is empty or names them.
// visible_to is filled when the action is written: a private message's author
// and recipients, copied onto every action that targets it.
func canSee(action *core.Record, v viewer) bool {
	if v.therapist {
		return true
	}
	audience := action.GetStringSlice("visible_to")
	return len(audience) == 0 || slices.Contains(audience, v.userID)
}

// actionView is the JSON shape of one action as members see it. Fields that
// staff alone may see (keystroke history, time to complete, the original body
// of a deleted message) have no place in it.
type actionView struct {
	ID         int       `json:"id"`
	Type       string    `json:"type"`
	Timestamp  string    `json:"timestamp"`
	User       string    `json:"user,omitempty"`
	Alias      string    `json:"alias,omitempty"`
	Body       *string   `json:"body,omitempty"`
	Recipients *[]string `json:"recipients,omitempty"`
	Deleted    *bool     `json:"deleted,omitempty"`
	Target     *int      `json:"target,omitempty"`
	Icon       string    `json:"icon,omitempty"`
	Remove     *bool     `json:"remove,omitempty"`
	Sender     string    `json:"sender,omitempty"`
	// ClientID is shown to the action's author only, so that a client can
	// match its own saved actions to what it sent.
	ClientID string `json:"client_id,omitempty"`
}

// newActionView builds the view of action for a viewer who may see it;
// forAuthor adds the author's client_id.
func newActionView(action *core.Record, forAuthor bool) actionView {
	view := actionView{
		ID:        action.GetInt("seq"),
		Type:      action.GetString("type"),
		Timestamp: action.GetDateTime("created").Time().UTC().Format(timestampLayout),
		User:      action.GetString("user"),
		Alias:     action.GetString("alias"),
	}
	if forAuthor {
		view.ClientID = action.GetString("client_id")
	}

	body := action.GetString("body")
	target := action.GetInt("target")
	switch view.Type {
	case actionMessage:
		recipients := action.GetStringSlice("recipients")
		deleted := action.GetBool("deleted")
		if deleted {
			body = ""
		}
		view.Body, view.Recipients, view.Deleted = &body, &recipients, &deleted
	case actionNotice:
		view.Body, view.Sender = &body, action.GetString("sender")
	case actionWhiteboard:
		view.Body = &body
	case actionDelete, actionMessageRead:
		view.Target = &target
	case actionReaction:
		remove := action.GetBool("remove")
		view.Target, view.Icon, view.Remove = &target, action.GetString("icon"), &remove
	}
	return view
}

// viewsFor returns the views of the actions v may see, in the given order.
func viewsFor(actions []*core.Record, v viewer) []actionView {
	views := make([]actionView, 0, len(actions))
	for _, action := range actions {
		if canSee(action, v) {
			views = append(views, newActionView(action, isAuthor(action, v)))
		}
	}
	return views
}

func isAuthor(action *core.Record, v viewer) bool {
	return v.userID != "" && action.GetString("user") == v.userID
}

// encodedAction is an action encoded once for every kind of viewer, for
// realtime delivery: the shared view and, when it differs, the author's.
type encodedAction struct {
	record   *core.Record
	shared   []byte
	author   []byte
	authorID string
}

func encodeAction(action *core.Record) (encodedAction, error) {
	encoded := encodedAction{record: action, authorID: action.GetString("user")}
	var err error
	if encoded.shared, err = json.Marshal(newActionView(action, false)); err != nil {
		return encoded, err
	}
	encoded.author = encoded.shared
	if action.GetString("client_id") != "" {
		encoded.author, err = json.Marshal(newActionView(action, true))
	}
	return encoded, err
}

// dataFor returns the bytes v receives, or nil when v may not see the action.
func (a encodedAction) dataFor(v viewer) []byte {
	if !canSee(a.record, v) {
		return nil
	}
	if a.authorID != "" && a.authorID == v.userID {
		return a.author
	}
	return a.shared
}
