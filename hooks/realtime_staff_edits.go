package hooks

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// bindStaffEdits stops realtime delivery that a staff edit of a therapy
// session, in the admin UI or the API, no longer allows. Such edits close
// the session, take a member off it, add a participant to
// removed_participants, or turn a therapist into a participant. Changes
// made through the room routes end delivery themselves, in order with their
// notices, and are skipped here.
//
// NOTE: only delivery ends here; attendance rows and the sign-in sessions'
// therapy_session stay as they were until the person leaves or signs out,
// but every room request re-checks membership and status and refuses them.
func (s *roomService) bindStaffEdits(app core.App) {
	app.OnRecordAfterUpdateSuccess("therapy_sessions").BindFunc(func(e *core.RecordEvent) error {
		session := e.Record
		if _, ours := s.changing.Load(session.Id); !ours {
			reason := reasonRemoved
			if session.GetString("status") == statusClosed {
				reason = reasonClosed
			}
			s.hub.endDelivery(session.Id, func(subscriber *roomSubscriber) bool {
				return !mayStayInside(session, subscriber.viewer)
			}, reason, false)
		}
		return e.Next()
	})
}

// mayStayInside reports whether session, as saved, still lets v be inside
// with the same view.
func mayStayInside(session *core.Record, v viewer) bool {
	therapist := slices.Contains(session.GetStringSlice("therapists"), v.userID)
	if therapist != v.therapist {
		return false
	}
	status := session.GetString("status")
	if therapist {
		return status != statusClosed
	}
	return status == statusOpen &&
		slices.Contains(session.GetStringSlice("participants"), v.userID) &&
		!slices.Contains(session.GetStringSlice("removed_participants"), v.userID)
}
