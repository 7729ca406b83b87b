package hooks

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Reasons why a sign-in session stops being inside a room. They are stored
// in attendance.left_reason and sent in the realtime "ended" message.
const (
	reasonLeft    = "left"
	reasonRemoved = "removed"
	reasonClosed  = "closed"
	reasonLogout  = "logout"
	reasonIdle    = "idle"
)

// presenceEnd describes how a sign-in session's presence in a room ends.
type presenceEnd struct {
	// reason is stored in attendance.left_reason and sent to the realtime
	// clients of the sign-in session.
	reason string
	// discardClients closes the realtime connections once the "ended"
	// message is delivered, for sign-in sessions that have ended.
	discardClients bool
	// leftNotice logs "‹alias› left" when the user has no other sign-in
	// session inside the room.
	leftNotice bool
}

// isPresent reports whether the user has an open attendance in the room, on
// any of their sign-in sessions.
func isPresent(app core.App, roomID, userID string) (bool, error) {
	records, err := app.FindAllRecords("attendance", dbx.HashExp{
		"therapy_session": roomID, "user": userID, "left_at": "",
	})
	if err != nil {
		return false, fmt.Errorf("read attendance: %w", err)
	}
	return len(records) > 0, nil
}

// presentUsers returns the ids of the users with an open attendance.
func presentUsers(app core.App, roomID string) (map[string]bool, error) {
	records, err := app.FindAllRecords("attendance", dbx.HashExp{"therapy_session": roomID, "left_at": ""})
	if err != nil {
		return nil, fmt.Errorf("read attendance: %w", err)
	}
	present := make(map[string]bool, len(records))
	for _, record := range records {
		present[record.GetString("user")] = true
	}
	return present, nil
}

// startPresence puts the sign-in session inside the room: it becomes the
// session's current therapy session, an attendance row opens, and the room
// learns that the user joined unless they were already present elsewhere.
func (w *roomWriter) startPresence(signIn, user *core.Record) error {
	wasPresent, err := isPresent(w.tx, w.roomID, user.Id)
	if err != nil {
		return err
	}

	signIn.Set("therapy_session", w.roomID)
	if err := w.tx.Save(signIn); err != nil {
		return fmt.Errorf("save sign-in session: %w", err)
	}

	collection, err := w.tx.FindCachedCollectionByNameOrId("attendance")
	if err != nil {
		return err
	}
	attendance := core.NewRecord(collection)
	attendance.Set("therapy_session", w.roomID)
	attendance.Set("user", user.Id)
	attendance.Set("sign_in_session", signIn.Id)
	attendance.Set("entered_at", types.NowDateTime())
	if err := w.tx.Save(attendance); err != nil {
		return fmt.Errorf("save attendance: %w", err)
	}

	if wasPresent {
		return nil
	}
	return w.appendSystemNotice(user.GetString("alias") + " joined")
}

// endPresence takes the sign-in session out of the room: its attendance rows
// close, its current therapy session is cleared, and its realtime delivery
// for the room ends before any notice about it is published.
func (w *roomWriter) endPresence(signIn, user *core.Record, end presenceEnd) error {
	open, err := w.tx.FindAllRecords("attendance", dbx.HashExp{
		"therapy_session": w.roomID, "sign_in_session": signIn.Id, "left_at": "",
	})
	if err != nil {
		return fmt.Errorf("read attendance: %w", err)
	}
	now := types.NowDateTime()
	for _, attendance := range open {
		attendance.Set("left_at", now)
		attendance.Set("left_reason", end.reason)
		if err := w.tx.Save(attendance); err != nil {
			return fmt.Errorf("save attendance: %w", err)
		}
	}

	if signIn.GetString("therapy_session") == w.roomID {
		signIn.Set("therapy_session", "")
		if err := w.tx.Save(signIn); err != nil {
			return fmt.Errorf("save sign-in session: %w", err)
		}
	}

	roomID, signInID := w.roomID, signIn.Id
	w.afterCommit = append(w.afterCommit, func() {
		w.rooms.hub.endDelivery(roomID, func(s *roomSubscriber) bool { return s.signInID == signInID },
			end.reason, end.discardClients)
	})

	if !end.leftNotice || len(open) == 0 {
		return nil
	}
	stillPresent, err := isPresent(w.tx, w.roomID, user.Id)
	if err != nil || stillPresent {
		return err
	}
	return w.appendSystemNotice(user.GetString("alias") + " left")
}

// onSignInSessionEnd ends the presence of a sign-in session that has ended
// (logout, idle expiry, staff) and closes its realtime connections.
func (s *roomService) onSignInSessionEnd(app core.App, signIn *core.Record, reason string) {
	// Attendance has no "staff" reason; a sign-in ended by staff leaves the
	// room as a logout does.
	deliveryReason := reasonLogout
	if reason == EndIdle {
		deliveryReason = reasonIdle
	}

	if roomID := signIn.GetString("therapy_session"); roomID != "" {
		err := s.change(app, roomID, func(w *roomWriter) error {
			user, err := w.tx.FindRecordById("users", signIn.GetString("user"))
			if err != nil {
				return err
			}
			return w.endPresence(signIn, user, presenceEnd{
				reason: deliveryReason, discardClients: true, leftNotice: true,
			})
		})
		if err != nil {
			app.Logger().Error("Failed to end presence in a therapy session after sign-in ended",
				"error", err, "signInSessionId", signIn.Id, "therapySessionId", roomID)
		}
	}

	s.hub.discardSignIn(signIn.Id)
}
