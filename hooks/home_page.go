package hooks

import (
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// homePage is the body of GET /api/me/therapy-sessions.
type homePage struct {
	TherapySessions []homeSession    `json:"therapy_sessions"`
	ActionItems     []homeActionItem `json:"action_items"`
}

type homeSession struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Date        *string          `json:"date"`
	EndsAt      *string          `json:"ends_at"`
	Status      string           `json:"status"`
	Role        string           `json:"role"`
	Assessments []homeAssessment `json:"assessments"`
}

// homeAssessment is one assessment of a session. Participants see their own
// status (and link or check-in answer); therapists see how many of the
// session's participants have completed it.
type homeAssessment struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	Timing          string `json:"timing"`
	RequiredToEnter bool   `json:"required_to_enter"`
	Status          string `json:"status,omitempty"`
	URL             string `json:"url,omitempty"`
	Answer          string `json:"answer,omitempty"`
	Completed       *int   `json:"completed,omitempty"`
	Participants    *int   `json:"participants,omitempty"`
}

// homeActionItem is an incomplete "after" assessment of an earlier session.
type homeActionItem struct {
	TherapySession     string  `json:"therapy_session"`
	TherapySessionName string  `json:"therapy_session_name"`
	Date               *string `json:"date"`
	Assessment         string  `json:"assessment"`
	Name               string  `json:"name"`
	Kind               string  `json:"kind"`
	URL                string  `json:"url,omitempty"`
}

func (h *Hearth) handleHomePage(e *core.RequestEvent) error {
	page, err := buildHomePage(e.App, e.Auth, time.Now())
	if err != nil {
		return e.InternalServerError("Failed to load your therapy sessions.", err)
	}
	return e.JSON(http.StatusOK, page)
}

// buildHomePage collects the home page of user with at most four queries,
// however many sessions and responses there are: sessions, their
// assessments, the user's own responses, and completion counts for the
// sessions the user leads.
func buildHomePage(app core.App, user *core.Record, now time.Time) (homePage, error) {
	page := homePage{TherapySessions: []homeSession{}, ActionItems: []homeActionItem{}}

	sessions, err := findMemberSessions(app, user.Id)
	if err != nil || len(sessions) == 0 {
		return page, err
	}
	sessionIDs := make([]string, len(sessions))
	isParticipant, isTherapist := false, false
	for i, session := range sessions {
		sessionIDs[i] = session.ID
		isTherapist = isTherapist || session.IsTherapist
		isParticipant = isParticipant || !session.IsTherapist
	}

	assessments, err := findSessionAssessments(app, sessionIDs)
	if err != nil {
		return page, err
	}
	bySession := map[string][]sessionAssessment{}
	for _, assessment := range assessments {
		bySession[assessment.TherapySession] = append(bySession[assessment.TherapySession], assessment)
	}

	var responses map[string]participantResponse
	if isParticipant {
		if responses, err = findResponsesOf(app, user.Id); err != nil {
			return page, err
		}
	}
	var completed map[string]int
	if isTherapist {
		if completed, err = countCompletedResponses(app, user.Id); err != nil {
			return page, err
		}
	}

	earlier := earlierSessionTest(sessions, now)
	for _, session := range sessions {
		item := homeSession{
			ID:          session.ID,
			Name:        session.Name,
			Date:        formatDate(session.StartsAt),
			EndsAt:      formatDate(session.EndsAt),
			Status:      session.Status,
			Role:        "participant",
			Assessments: []homeAssessment{},
		}
		if session.IsTherapist {
			item.Role = "therapist"
		}

		for _, assessment := range bySession[session.ID] {
			entry := homeAssessment{
				ID:              assessment.ID,
				Name:            assessment.Name,
				Kind:            assessment.Kind,
				Timing:          assessment.Timing,
				RequiredToEnter: assessment.RequiredToEnter,
			}
			if session.IsTherapist {
				count, total := completed[assessment.ID], session.ParticipantCount
				entry.Completed, entry.Participants = &count, &total
				item.Assessments = append(item.Assessments, entry)
				continue
			}

			response := responses[assessment.ID]
			entry.Status = responseIncomplete
			if response.Complete() {
				entry.Status = responseComplete
				entry.Answer = response.Answer
			} else {
				entry.URL = surveyLinkFor(assessment, user)
				if assessment.Timing == timingAfter && earlier(session) {
					page.ActionItems = append(page.ActionItems, homeActionItem{
						TherapySession:     session.ID,
						TherapySessionName: session.Name,
						Date:               item.Date,
						Assessment:         assessment.ID,
						Name:               assessment.Name,
						Kind:               assessment.Kind,
						URL:                entry.URL,
					})
				}
			}
			item.Assessments = append(item.Assessments, entry)
		}
		page.TherapySessions = append(page.TherapySessions, item)
	}
	return page, nil
}

// earlierSessionTest returns a test for whether a session is over as far as
// its "after" assessments go: it is closed, its ends_at has passed, or it
// starts before the latest of the caller's sessions that has already
// started. A session still open with nothing newer begun is not earlier,
// so its "after" survey is not yet an action item.
func earlierSessionTest(sessions []memberSession, now time.Time) func(memberSession) bool {
	var latestStarted time.Time
	for _, session := range sessions {
		starts := parseStoredDate(session.StartsAt)
		if !starts.After(now) && starts.After(latestStarted) {
			latestStarted = starts
		}
	}
	return func(session memberSession) bool {
		if session.Status == "closed" {
			return true
		}
		if ends := parseStoredDate(session.EndsAt); !ends.IsZero() && !ends.After(now) {
			return true
		}
		return parseStoredDate(session.StartsAt).Before(latestStarted)
	}
}

// countCompletedResponses returns, per assessment of the sessions that
// therapistID leads, how many of the session's current participants have
// completed it. Responses of people no longer in the session are not
// counted.
func countCompletedResponses(app core.App, therapistID string) (map[string]int, error) {
	var rows []struct {
		Assessment string `db:"assessment"`
		Completed  int    `db:"completed"`
	}
	err := app.DB().NewQuery(`
		SELECT r.assessment, COUNT(*) AS completed
		FROM therapy_sessions s
		JOIN assessments a ON a.therapy_session = s.id
		JOIN assessment_responses r ON r.assessment = a.id
		WHERE EXISTS (SELECT 1 FROM json_each(s.therapists) WHERE value = {:user})
			AND r.status = 'complete'
			AND EXISTS (SELECT 1 FROM json_each(s.participants) WHERE value = r.participant)
		GROUP BY r.assessment`,
	).Bind(dbx.Params{"user": therapistID}).All(&rows)
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int, len(rows))
	for _, row := range rows {
		counts[row.Assessment] = row.Completed
	}
	return counts, nil
}

func parseStoredDate(stored string) time.Time {
	parsed, err := types.ParseDateTime(stored)
	if err != nil {
		return time.Time{}
	}
	return parsed.Time()
}
