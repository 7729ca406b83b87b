package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// itemSaver saves the items of one POST inside its transaction.
type itemSaver struct {
	e      *core.RequestEvent
	w      *roomWriter
	member *roomMember
}

// save checks one item against the database and saves it. It returns the
// saved action, the action a retry refers to, or nil for a read marker that
// does not move forward (accepted, but not saved).
func (saver *itemSaver) save(index int, item *actionItem) (*core.Record, error) {
	if item.Type == itemPost {
		return saver.savePost(index, item)
	}

	// Other types may change another record before their insert (a
	// whiteboard, a deleted message), so their retry is looked up first.
	existing, err := saver.findByClientID(item.ClientID)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		return saver.retried(index, item, existing)
	}

	var action *core.Record
	switch item.Type {
	case actionNotice, actionWhiteboard:
		action, err = saver.newTherapistText(index, item)
	case actionDelete:
		action, err = saver.newDelete(index, item)
	case actionReaction:
		action, err = saver.newReaction(index, item)
	case actionMessageRead:
		action, err = saver.newReadMarker(index, item)
	default:
		return nil, fmt.Errorf("unchecked action type %q", item.Type)
	}
	if err != nil || action == nil {
		return nil, err
	}
	return action, saver.w.append(action)
}

// savePost saves a post. A post changes nothing before its insert, so its
// retry lookup runs only when the post fails. That happens when the unique
// index on (user, client_id) rejects the insert, or when today's checks
// reject what was saved before, such as a recipient who has left since.
// Either way a retry returns the saved action.
func (saver *itemSaver) savePost(index int, item *actionItem) (*core.Record, error) {
	action, err := saver.newMessage(index, item)
	if err == nil {
		err = saver.w.append(action)
	}
	if err == nil {
		return action, nil
	}

	// SQLite rolls back only a rejected statement, so the transaction can
	// still run the lookup.
	existing, findErr := saver.findByClientID(item.ClientID)
	if findErr != nil {
		return nil, findErr
	}
	if existing != nil {
		return saver.retried(index, item, existing)
	}
	return nil, err
}

// retried returns the saved action that item repeats, or a 409 error when
// the item's client_id was used for something else.
func (saver *itemSaver) retried(index int, item *actionItem, existing *core.Record) (*core.Record, error) {
	if existing.GetString("therapy_session") == saver.w.roomID && sameContent(existing, item) {
		return existing, nil
	}
	return nil, saver.e.Error(409, "An action with this client_id was already saved with other content; nothing was saved.",
		validation.Errors{strconv.Itoa(index): validation.Errors{"client_id": validation.NewError(
			"validation_client_id_conflict", "This client_id was already used for another action.")}})
}

func (saver *itemSaver) findByClientID(clientID string) (*core.Record, error) {
	// The literal client_id != '' lets SQLite use the partial unique index
	// on (user, client_id).
	existing := &core.Record{}
	err := saver.w.tx.RecordQuery("actions").
		AndWhere(dbx.NewExp("[[user]] = {:user} AND [[client_id]] = {:clientId} AND [[client_id]] != ''",
			dbx.Params{"user": saver.member.user.Id, "clientId": clientID})).
		Limit(1).
		One(existing)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return existing, err
}

// sameContent reports whether a saved action is what item would create, so
// that a retried item can return it.
func sameContent(action *core.Record, item *actionItem) bool {
	if action.GetString("type") != item.storedType() {
		return false
	}
	switch item.Type {
	case itemPost:
		body := action.GetString("body")
		if action.GetBool("deleted") {
			body = action.GetString("original_body")
		}
		return body == item.Body && sameSet(action.GetStringSlice("recipients"), item.Recipients)
	case actionNotice, actionWhiteboard:
		return action.GetString("body") == item.Body
	case actionReaction:
		return action.GetInt("target") == item.Target && action.GetString("icon") == item.Icon &&
			action.GetBool("remove") == item.Remove
	default:
		return action.GetInt("target") == item.Target
	}
}

// newOwnAction starts a record authored by the caller.
func (saver *itemSaver) newOwnAction(item *actionItem) (*core.Record, error) {
	action, err := saver.w.newAction(item.storedType())
	if err != nil {
		return nil, err
	}
	action.Set("user", saver.member.user.Id)
	action.Set("alias", saver.member.user.GetString("alias"))
	action.Set("client_id", item.ClientID)
	if !item.ClientTS.IsZero() {
		clientTS, _ := types.ParseDateTime(item.ClientTS)
		action.Set("client_ts", clientTS)
	}
	return action, nil
}

// newTherapistText builds a notice or a whiteboard update; the whiteboard's
// text is also stored on the session.
func (saver *itemSaver) newTherapistText(index int, item *actionItem) (*core.Record, error) {
	if !saver.member.therapist {
		return nil, itemError(saver.e, index, "type", "validation_therapist_only",
			"Only the session's therapists can send a "+item.Type+".")
	}
	action, err := saver.newOwnAction(item)
	if err != nil {
		return nil, err
	}
	action.Set("body", item.Body)
	if item.Type == actionNotice {
		action.Set("sender", "therapist")
		return action, nil
	}

	session := saver.member.session
	session.Set("whiteboard", item.Body)
	if err := saver.w.tx.Save(session); err != nil {
		return nil, fmt.Errorf("save whiteboard: %w", err)
	}
	return action, nil
}

// findTarget returns the room's action with the item's target id when the
// caller may see it. An action the caller may not see is reported exactly
// like one that does not exist.
func (saver *itemSaver) findTarget(index int, item *actionItem, messageOnly bool) (*core.Record, error) {
	target, err := saver.w.tx.FindFirstRecordByFilter("actions",
		"therapy_session = {:room} && seq = {:seq}",
		dbx.Params{"room": saver.w.roomID, "seq": item.Target})
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canSee(target, saver.member.viewer())) {
		return nil, itemError(saver.e, index, "target", "validation_unknown_target",
			"No action with this id exists in this therapy session.")
	}
	if err != nil {
		return nil, err
	}
	if messageOnly && target.GetString("type") != actionMessage {
		return nil, itemError(saver.e, index, "target", "validation_target_not_message", "The target must be a message.")
	}
	return target, nil
}

// newTargeting starts an action about target; it is seen by exactly those
// who may see target.
func (saver *itemSaver) newTargeting(item *actionItem, target *core.Record) (*core.Record, error) {
	action, err := saver.newOwnAction(item)
	if err != nil {
		return nil, err
	}
	action.Set("target", target.GetInt("seq"))
	action.Set("visible_to", target.GetStringSlice("visible_to"))
	return action, nil
}

// newDelete builds a delete and, in the same transaction, moves the target's
// body to original_body (staff only) and marks it deleted.
func (saver *itemSaver) newDelete(index int, item *actionItem) (*core.Record, error) {
	target, err := saver.findTarget(index, item, true)
	if err != nil {
		return nil, err
	}
	if !saver.member.therapist && target.GetString("user") != saver.member.user.Id {
		return nil, itemError(saver.e, index, "target", "validation_not_author",
			"Only the message's author or a therapist can delete it.")
	}
	if target.GetBool("deleted") {
		return nil, itemError(saver.e, index, "target", "validation_already_deleted", "The message is already deleted.")
	}

	target.Set("original_body", target.GetString("body"))
	target.Set("body", "")
	target.Set("deleted", true)
	if err := saver.w.tx.Save(target); err != nil {
		return nil, fmt.Errorf("mark message deleted: %w", err)
	}
	return saver.newTargeting(item, target)
}

func (saver *itemSaver) newReaction(index int, item *actionItem) (*core.Record, error) {
	target, err := saver.findTarget(index, item, true)
	if err != nil {
		return nil, err
	}
	if target.GetBool("deleted") {
		return nil, itemError(saver.e, index, "target", "validation_target_deleted", "The message was deleted.")
	}
	reaction, err := saver.newTargeting(item, target)
	if err != nil {
		return nil, err
	}
	reaction.Set("icon", item.Icon)
	reaction.Set("remove", item.Remove)
	return reaction, nil
}

// newReadMarker builds a message_read, or returns nil when the caller's read
// marker in this room is already at or past the target.
func (saver *itemSaver) newReadMarker(index int, item *actionItem) (*core.Record, error) {
	target, err := saver.findTarget(index, item, false)
	if err != nil {
		return nil, err
	}

	var previous struct {
		Target int `db:"last_target"`
	}
	err = saver.w.tx.DB().Select("COALESCE(MAX([[target]]), 0) AS last_target").
		From("actions").
		Where(dbx.HashExp{"therapy_session": saver.w.roomID, "type": actionMessageRead, "user": saver.member.user.Id}).
		One(&previous)
	if err != nil {
		return nil, fmt.Errorf("read the last read marker: %w", err)
	}
	if item.Target <= previous.Target {
		return nil, nil
	}
	return saver.newTargeting(item, target)
}

// itemError is a 400 naming one field of one item.
func itemError(e *core.RequestEvent, index int, field, code, message string) error {
	return e.BadRequestError("Some actions are invalid; nothing was saved.",
		validation.Errors{strconv.Itoa(index): validation.Errors{field: validation.NewError(code, message)}})
}

// sameSet reports whether a and b hold the same values, ignoring order and
// repeats.
func sameSet(a, b []string) bool {
	for _, value := range a {
		if !slices.Contains(b, value) {
			return false
		}
	}
	for _, value := range b {
		if !slices.Contains(a, value) {
			return false
		}
	}
	return true
}
