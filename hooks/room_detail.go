package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"
)

// memberView is a person of the session as other members see them: never
// their phone or last name.
type memberView struct {
	ID    string `json:"id"`
	Alias string `json:"alias"`
	Role  string `json:"role"`
	// Present is nil for callers who may not follow the live session.
	Present *bool `json:"present,omitempty"`
}

// sessionDetail is the response body of GET /api/therapy-sessions/{id}.
type sessionDetail struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	StartsAt    *string `json:"starts_at"`
	EndsAt      *string `json:"ends_at"`
	Status      string  `json:"status"`
	// Whiteboard, the members' Present flags and MaxID are the live state
	// of the session. They are nil for callers who may not follow it.
	Whiteboard   *string      `json:"whiteboard,omitempty"`
	Therapists   []memberView `json:"therapists"`
	Participants []memberView `json:"participants"`
	// Removed lists the participants a therapist removed; only therapists
	// get it.
	Removed *[]string `json:"removed,omitempty"`
	// Inside is true when the caller's sign-in session is inside the session.
	Inside bool `json:"inside"`
	// Role is the caller's role in this session.
	Role string `json:"role"`
	// MaxID is the id of the session's last action.
	MaxID *int `json:"max_id,omitempty"`
}

// handleDetail is GET /api/therapy-sessions/{id}, for members only.
func (s *roomService) handleDetail(e *core.RequestEvent) error {
	return s.respondDetail(e, e.Request.PathValue("id"))
}

func (s *roomService) respondDetail(e *core.RequestEvent, roomID string) error {
	member, err := loadMember(e, e.App, roomID)
	if err != nil {
		return err
	}
	detail, err := buildSessionDetail(e.App, member)
	if err != nil {
		return e.InternalServerError("Failed to read the therapy session.", err)
	}
	return e.JSON(http.StatusOK, detail)
}

func buildSessionDetail(app core.App, member *roomMember) (*sessionDetail, error) {
	session := member.session
	detail := &sessionDetail{
		ID:          session.Id,
		Name:        session.GetString("name"),
		Description: session.GetString("description"),
		StartsAt:    formatDate(session.GetString("starts_at")),
		EndsAt:      formatDate(session.GetString("ends_at")),
		Status:      session.GetString("status"),
		Inside:      member.inside(),
		Role:        "participant",
	}
	if member.therapist {
		detail.Role = "therapist"
		removed := session.GetStringSlice("removed_participants")
		detail.Removed = &removed
	}

	// present stays nil for callers who may not follow the session, and
	// memberViews then leaves out every Present flag.
	var present map[string]bool
	if member.followsLive() {
		var err error
		if present, err = presentUsers(app, session.Id); err != nil {
			return nil, err
		}
		last, err := maxSeq(app, session.Id)
		if err != nil {
			return nil, err
		}
		whiteboard := session.GetString("whiteboard")
		detail.Whiteboard, detail.MaxID = &whiteboard, &last
	}

	var err error
	if detail.Therapists, err = memberViews(app, session.GetStringSlice("therapists"), "therapist", present); err != nil {
		return nil, err
	}
	if detail.Participants, err = memberViews(app, session.GetStringSlice("participants"), "participant", present); err != nil {
		return nil, err
	}
	return detail, nil
}

func memberViews(app core.App, ids []string, role string, present map[string]bool) ([]memberView, error) {
	users, err := app.FindRecordsByIds("users", ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*core.Record, len(users))
	for _, user := range users {
		byID[user.Id] = user
	}

	views := make([]memberView, 0, len(ids))
	for _, id := range ids {
		user := byID[id]
		if user == nil {
			continue
		}
		view := memberView{ID: id, Alias: user.GetString("alias"), Role: role}
		if present != nil {
			isPresent := present[id]
			view.Present = &isPresent
		}
		views = append(views, view)
	}
	return views, nil
}
