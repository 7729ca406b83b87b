package hooks

import (
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// handleEnter is POST /api/therapy-sessions/{id}/enter. Entering a session
// the caller is already inside changes nothing. Entering while inside
// another session leaves that one in the same transaction, and only once
// every entry condition holds, so a refused enter changes nothing.
func (s *roomService) handleEnter(e *core.RequestEvent) error {
	roomID := e.Request.PathValue("id")

	member, err := loadMember(e, e.App, roomID)
	if err != nil {
		return err
	}

	// The session to leave is read before any room lock is held, so another
	// request of the same sign-in session may move it in the meantime. The
	// transaction then stops and names the new one, and entering starts again.
	current := member.signIn.GetString("therapy_session")
	for attempt := 1; ; attempt++ {
		err = s.enter(e, roomID, current)
		var moved *signInMovedError
		if !errors.As(err, &moved) {
			break
		}
		if attempt == maxEnterAttempts {
			return e.Error(409, "Your sign-in moved to another therapy session at the same time. Please try again.", nil)
		}
		current = moved.current
	}
	if err != nil {
		return apiError(e, err)
	}
	return s.respondDetail(e, roomID)
}

// maxEnterAttempts bounds how often handleEnter starts again when the
// sign-in session's current therapy session changes under it.
const maxEnterAttempts = 3

// signInMovedError stops an enter whose sign-in session is no longer in the
// therapy session the enter was about to leave.
type signInMovedError struct {
	current string
}

func (err *signInMovedError) Error() string {
	return fmt.Sprintf("the sign-in session moved to therapy session %q", err.current)
}

// enter puts the caller's sign-in session inside roomID, leaving current
// first when it names another room. Both rooms change in one transaction,
// after every check has passed.
func (s *roomService) enter(e *core.RequestEvent, roomID, current string) error {
	rooms := []string{roomID}
	if current != "" && current != roomID {
		rooms = []string{current, roomID}
	}
	return s.changeRooms(e.App, rooms, func(writers []*roomWriter) error {
		entering := writers[len(writers)-1]
		member, err := entering.loadMember(e)
		if err != nil {
			return err
		}
		if err := checkMayEnter(e, entering.tx, member); err != nil {
			return err
		}
		if member.inside() {
			return nil
		}
		if now := member.signIn.GetString("therapy_session"); now != current {
			return &signInMovedError{current: now}
		}

		if len(writers) == 2 {
			leaving := writers[0]
			err := leaving.endPresence(member.signIn, member.user, presenceEnd{reason: reasonLeft, leftNotice: true})
			if err != nil {
				return err
			}
		}
		return entering.startPresence(member.signIn, member.user)
	})
}

// checkMayEnter returns a 403 error for a removed participant and 409 for a session
// whose status does not allow the caller in, or for a participant whose
// assessments required to enter are not complete.
func checkMayEnter(e *core.RequestEvent, app core.App, member *roomMember) error {
	if member.removed() {
		return e.ForbiddenError("A therapist removed you from this session. You can enter again once they readmit you.", nil)
	}
	if err := member.requireStatusAllowsPresence(e); err != nil {
		return err
	}
	if member.therapist {
		return nil
	}

	missing, err := missingAssessments(app, member.session.Id, member.user.Id)
	if err != nil {
		return e.InternalServerError("Failed to check your assessments.", err)
	}
	if len(missing) > 0 {
		return e.Error(409, "Complete the required assessments before entering.",
			map[string]any{"missing_assessments": plainErrorData{value: missing}})
	}
	return nil
}

// missingAssessment names an assessment that must be complete to enter.
type missingAssessment struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// missingAssessments returns the session's required_to_enter assessments
// that have no complete response from the participant.
func missingAssessments(app core.App, roomID, participantID string) ([]missingAssessment, error) {
	required, err := app.FindAllRecords("assessments", dbx.HashExp{
		"therapy_session": roomID, "required_to_enter": true,
	})
	if err != nil {
		return nil, fmt.Errorf("read assessments: %w", err)
	}

	missing := []missingAssessment{}
	for _, assessment := range required {
		complete, err := app.FindAllRecords("assessment_responses", dbx.HashExp{
			"assessment": assessment.Id, "participant": participantID, "status": "complete",
		})
		if err != nil {
			return nil, fmt.Errorf("read assessment responses: %w", err)
		}
		if len(complete) == 0 {
			missing = append(missing, missingAssessment{ID: assessment.Id, Name: assessment.GetString("name")})
		}
	}
	return missing, nil
}

// handleLeave is POST /api/therapy-sessions/{id}/leave. Leaving a session
// the caller is not inside changes nothing, so a repeated click is harmless.
func (s *roomService) handleLeave(e *core.RequestEvent) error {
	roomID := e.Request.PathValue("id")
	if _, err := loadMember(e, e.App, roomID); err != nil {
		return err
	}

	err := s.change(e.App, roomID, func(w *roomWriter) error {
		member, err := w.loadMember(e)
		if err != nil {
			return err
		}
		if !member.inside() {
			return nil
		}
		return w.endPresence(member.signIn, member.user, presenceEnd{reason: reasonLeft, leftNotice: true})
	})
	if err != nil {
		return apiError(e, err)
	}
	return okResult(e)
}
