package hooks

import (
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// handleOpen is POST /api/therapy-sessions/{id}/open, for the session's
// therapists. Opening an open session changes nothing.
func (s *roomService) handleOpen(e *core.RequestEvent) error {
	return s.setStatus(e, statusOpen)
}

// handleClose is POST /api/therapy-sessions/{id}/close, for the session's
// therapists. It ends everyone's presence: attendance closes with reason
// "closed", current therapy sessions are cleared, and realtime clients get
// the "ended" message after the closing notice.
func (s *roomService) handleClose(e *core.RequestEvent) error {
	return s.setStatus(e, statusClosed)
}

func (s *roomService) setStatus(e *core.RequestEvent, status string) error {
	roomID := e.Request.PathValue("id")
	err := s.change(e.App, roomID, func(w *roomWriter) error {
		member, err := w.loadMember(e)
		if err != nil {
			return err
		}
		if err := member.requireTherapist(e); err != nil {
			return err
		}
		session := member.session
		if session.GetString("status") == status {
			return nil
		}

		session.Set("status", status)
		if err := w.tx.Save(session); err != nil {
			return err
		}
		alias := member.user.GetString("alias")
		if status == statusOpen {
			return w.appendSystemNotice(alias + " opened the session")
		}
		if err := w.appendSystemNotice(alias + " closed the session"); err != nil {
			return err
		}
		return w.endAllPresence()
	})
	if err != nil {
		return apiError(e, err)
	}
	return s.respondDetail(e, roomID)
}

// endAllPresence takes every sign-in session out of the room, for a close.
func (w *roomWriter) endAllPresence() error {
	inside, err := w.tx.FindAllRecords("sign_in_sessions", dbx.HashExp{"therapy_session": w.roomID})
	if err != nil {
		return err
	}
	for _, signIn := range inside {
		if err := w.endPresence(signIn, nil, presenceEnd{reason: reasonClosed}); err != nil {
			return err
		}
	}
	// Attendance left open by an inconsistent row (its sign-in session moved
	// on without closing it) closes too.
	open, err := w.tx.FindAllRecords("attendance", dbx.HashExp{"therapy_session": w.roomID, "left_at": ""})
	if err != nil {
		return err
	}
	for _, attendance := range open {
		attendance.Set("left_at", types.NowDateTime())
		attendance.Set("left_reason", reasonClosed)
		if err := w.tx.Save(attendance); err != nil {
			return err
		}
	}
	roomID := w.roomID
	w.afterCommit = append(w.afterCommit, func() {
		w.rooms.hub.endDelivery(roomID, func(*roomSubscriber) bool { return true }, reasonClosed, false)
	})
	return nil
}

// handleRemove is POST /api/therapy-sessions/{id}/remove/{userId}, for the
// session's therapists. The participant's presence and realtime delivery end
// at once, a notice "‹alias› was removed" is logged, and they cannot enter
// again until readmitted. Removing a removed participant changes nothing.
func (s *roomService) handleRemove(e *core.RequestEvent) error {
	return s.setRemoved(e, true)
}

// handleReadmit is POST /api/therapy-sessions/{id}/readmit/{userId}, for the
// session's therapists; it lets a removed participant enter again.
func (s *roomService) handleReadmit(e *core.RequestEvent) error {
	return s.setRemoved(e, false)
}

func (s *roomService) setRemoved(e *core.RequestEvent, remove bool) error {
	roomID, userID := e.Request.PathValue("id"), e.Request.PathValue("userId")
	err := s.change(e.App, roomID, func(w *roomWriter) error {
		member, err := w.loadMember(e)
		if err != nil {
			return err
		}
		if err := member.requireTherapist(e); err != nil {
			return err
		}
		session := member.session
		if !slices.Contains(session.GetStringSlice("participants"), userID) ||
			slices.Contains(session.GetStringSlice("therapists"), userID) {
			return e.NotFoundError("That person is not a participant of this therapy session.", nil)
		}
		participant, err := w.tx.FindRecordById("users", userID)
		if err != nil {
			return e.NotFoundError("That person is not a participant of this therapy session.", err)
		}

		removed := session.GetStringSlice("removed_participants")
		if slices.Contains(removed, userID) == remove {
			return nil
		}
		alias := participant.GetString("alias")
		if !remove {
			session.Set("removed_participants", slices.DeleteFunc(removed, func(id string) bool { return id == userID }))
			if err := w.tx.Save(session); err != nil {
				return err
			}
			return w.appendSystemNotice(alias + " was readmitted")
		}

		session.Set("removed_participants", append(removed, userID))
		if err := w.tx.Save(session); err != nil {
			return err
		}
		inside, err := w.tx.FindAllRecords("sign_in_sessions", dbx.HashExp{"therapy_session": roomID, "user": userID})
		if err != nil {
			return err
		}
		for _, signIn := range inside {
			if err := w.endPresence(signIn, participant, presenceEnd{reason: reasonRemoved}); err != nil {
				return err
			}
		}
		// A removed participant's clients stop even if their sign-in session
		// record no longer names the room.
		w.afterCommit = append(w.afterCommit, func() {
			w.rooms.hub.endDelivery(roomID, func(s *roomSubscriber) bool { return s.viewer.userID == userID },
				reasonRemoved, false)
		})
		return w.appendSystemNotice(alias + " was removed")
	})
	if err != nil {
		return apiError(e, err)
	}
	return s.respondDetail(e, roomID)
}
