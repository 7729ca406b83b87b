package hooks

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/hearth-research/hearth/internal/keystrokes"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// handlePostActions is POST /api/therapy-sessions/{id}/actions: a JSON array
// of items, saved whole or not at all. The response has the shape of the GET
// and lists the caller's saved actions of this request in id order,
// including those a retry found already saved.
func (s *roomService) handlePostActions(e *core.RequestEvent) error {
	roomID := e.Request.PathValue("id")
	// The request middleware loaded the caller's sign-in session. When it is
	// not inside this room, the full check runs here and rejects the post
	// before the body is read. Posts from inside the room are checked once,
	// in the transaction below.
	if signIn := SignInSessionFrom(e); signIn == nil || signIn.GetString("therapy_session") != roomID {
		member, err := loadMember(e, e.App, roomID)
		if err != nil {
			return err
		}
		if err := member.requireInside(e); err != nil {
			return err
		}
	}

	raw, err := io.ReadAll(e.Request.Body)
	// PocketBase's body limit stops the read with its own 413 error, which
	// passes through.
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	if err != nil {
		return e.BadRequestError("Failed to read the request body.", err)
	}
	items, problems, parseErr := parseActionItems(raw)

	var member *roomMember
	var saved []*core.Record
	var last int
	err = s.change(e.App, roomID, func(w *roomWriter) error {
		// A rerun after a lock error starts again from nothing.
		saved = nil
		// Membership is read under the room lock, so a removal or close
		// that committed before this post wins. Only a member inside the
		// room learns what is wrong with the body.
		member, err = w.loadMemberWith(e, loadInsideMember)
		if err != nil {
			return err
		}
		if err := member.requireInside(e); err != nil {
			return err
		}
		if err := checkBatch(e, items, problems, parseErr); err != nil {
			return err
		}
		saver := &itemSaver{e: e, w: w, member: member}
		for i, item := range items {
			action, err := saver.save(i, item)
			if err != nil {
				return err
			}
			if action != nil {
				saved = append(saved, action)
			}
		}
		last, err = w.currentMaxSeq()
		return err
	})
	if err != nil {
		return apiError(e, err)
	}

	sort.Slice(saved, func(i, j int) bool { return saved[i].GetInt("seq") < saved[j].GetInt("seq") })
	return e.JSON(http.StatusOK, actionsAnswer{
		Result:     "ok",
		ServerTime: time.Now().UTC().Format(timestampLayout),
		MaxID:      last,
		Actions:    viewsFor(saved, member.viewer()),
	})
}

// checkBatch returns the 400 error for a body that parseActionItems
// refused, that is empty or too long, or that has invalid items.
func checkBatch(e *core.RequestEvent, items []*actionItem, problems validation.Errors, parseErr error) error {
	switch {
	case parseErr != nil:
		return e.BadRequestError("The request body must be a JSON array of actions.", parseErr)
	case len(items) == 0:
		return e.BadRequestError("Send at least one action.", nil)
	case len(items) > maxItemsPerPost:
		return e.BadRequestError("Send at most 100 actions in one request.", nil)
	case len(problems) > 0:
		return e.BadRequestError("Some actions are invalid; nothing was saved.", problems)
	}
	return nil
}

// newMessage builds the record of a post item.
func (saver *itemSaver) newMessage(index int, item *actionItem) (*core.Record, error) {
	members := slices.Concat(saver.member.session.GetStringSlice("therapists"),
		saver.member.session.GetStringSlice("participants"))
	recipients := []string{}
	for _, id := range item.Recipients {
		if !slices.Contains(members, id) {
			return nil, itemError(saver.e, index, "recipients", "validation_unknown_recipient",
				"Every recipient must be a member of this therapy session.")
		}
		if !slices.Contains(recipients, id) {
			recipients = append(recipients, id)
		}
	}

	message, err := saver.newOwnAction(item)
	if err != nil {
		return nil, err
	}
	message.Set("body", item.Body)
	message.Set("recipients", recipients)
	if len(recipients) > 0 {
		message.Set("visible_to", appendUnique(recipients, saver.member.user.Id))
	}
	message.Set("typing_recorded", item.TypingRecorded)
	message.Set("time_to_complete", item.TimeToComplete)
	message.Set("character_history", item.CharacterHistory)
	replayed, err := keystrokes.Replay(item.CharacterHistory)
	message.Set("history_replays", item.CharacterHistory != "" && err == nil && replayed == item.Body)
	return message, nil
}

func appendUnique(list []string, value string) []string {
	if slices.Contains(list, value) {
		return list
	}
	return append(slices.Clone(list), value)
}
