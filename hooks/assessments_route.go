package hooks

import (
	"database/sql"
	"errors"
	"net/http"
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// sessionAssessmentsPage is the body of
// GET /api/therapy-sessions/{id}/assessments.
type sessionAssessmentsPage struct {
	TherapySession string                   `json:"therapy_session"`
	Participants   []participantAssessments `json:"participants"`
}

type participantAssessments struct {
	ID          string                  `json:"id"`
	Alias       string                  `json:"alias"`
	Assessments []participantAssessment `json:"assessments"`
}

// participantAssessment is one assessment with one participant's response.
// URL, the participant's own survey link, appears only in that
// participant's own view and only while the survey is incomplete.
type participantAssessment struct {
	ID              string  `json:"id"`
	Name            string  `json:"name"`
	Kind            string  `json:"kind"`
	Timing          string  `json:"timing"`
	RequiredToEnter bool    `json:"required_to_enter"`
	Status          string  `json:"status"`
	CompletedAt     *string `json:"completed_at"`
	Answer          string  `json:"answer,omitempty"`
	URL             string  `json:"url,omitempty"`
}

// handleSessionAssessments lists a session's assessments with responses.
// Participants see only their own; therapists of the session see every
// participant's, or one with ?participant=ID, but never the survey links,
// since a link opens that participant's survey as them. An unknown session
// gets the same 403 as one the caller does not belong to, so that session
// ids cannot be probed.
func (h *Hearth) handleSessionAssessments(e *core.RequestEvent) error {
	session, err := e.App.FindRecordById("therapy_sessions", e.Request.PathValue("id"))
	if errors.Is(err, sql.ErrNoRows) {
		return errNotMember(e)
	}
	if err != nil {
		return e.InternalServerError("Failed to load the therapy session.", err)
	}
	participants := session.GetStringSlice("participants")
	isTherapist := slices.Contains(session.GetStringSlice("therapists"), e.Auth.Id)
	isParticipant := slices.Contains(participants, e.Auth.Id)
	requested := e.Request.URL.Query().Get("participant")

	var visibleParticipants []string
	switch {
	case isTherapist && requested == "":
		visibleParticipants = participants
	case isTherapist && slices.Contains(participants, requested):
		visibleParticipants = []string{requested}
	case isTherapist:
		return e.NotFoundError("That person is not a participant of this therapy session.", nil)
	case isParticipant && (requested == "" || requested == e.Auth.Id):
		visibleParticipants = []string{e.Auth.Id}
	case isParticipant:
		return e.ForbiddenError("You can only see your own assessments.", nil)
	default:
		return errNotMember(e)
	}

	page, err := buildSessionAssessments(e.App, session.Id, visibleParticipants, e.Auth)
	if err != nil {
		return e.InternalServerError("Failed to load the assessments.", err)
	}
	return e.JSON(http.StatusOK, page)
}

// buildSessionAssessments collects the assessments of a session with the
// responses of the visibleParticipants participants, in three queries.
func buildSessionAssessments(app core.App, sessionID string, visibleParticipants []string, viewer *core.Record) (sessionAssessmentsPage, error) {
	page := sessionAssessmentsPage{TherapySession: sessionID, Participants: []participantAssessments{}}

	assessments, err := findSessionAssessments(app, []string{sessionID})
	if err != nil {
		return page, err
	}
	assessmentIDs := make([]string, len(assessments))
	for i, assessment := range assessments {
		assessmentIDs[i] = assessment.ID
	}
	responses, err := findResponsesTo(app, assessmentIDs)
	if err != nil {
		return page, err
	}
	byPair := make(map[[2]string]participantResponse, len(responses))
	for _, response := range responses {
		byPair[[2]string{response.Participant, response.Assessment}] = response
	}
	people, err := app.FindRecordsByIds("users", visibleParticipants)
	if err != nil {
		return page, err
	}
	aliases := make(map[string]string, len(people))
	for _, person := range people {
		aliases[person.Id] = person.GetString("alias")
	}

	for _, participantID := range visibleParticipants {
		alias, enrolled := aliases[participantID]
		if !enrolled {
			continue // a relation id left behind by a deleted user
		}
		entry := participantAssessments{ID: participantID, Alias: alias, Assessments: []participantAssessment{}}
		for _, assessment := range assessments {
			response := byPair[[2]string{participantID, assessment.ID}]
			item := participantAssessment{
				ID:              assessment.ID,
				Name:            assessment.Name,
				Kind:            assessment.Kind,
				Timing:          assessment.Timing,
				RequiredToEnter: assessment.RequiredToEnter,
				Status:          responseIncomplete,
			}
			if response.Complete() {
				item.Status = responseComplete
				item.CompletedAt = formatDate(response.CompletedAt)
				item.Answer = response.Answer
			} else if participantID == viewer.Id {
				item.URL = surveyLinkFor(assessment, viewer)
			}
			entry.Assessments = append(entry.Assessments, item)
		}
		page.Participants = append(page.Participants, entry)
	}
	return page, nil
}

// MissingAssessment names an assessment that a participant must complete
// before entering a therapy session.
type MissingAssessment struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// IncompleteRequiredAssessments returns the assessments of the session that
// are required to enter and that participantID has not completed, in the
// order the home page lists them. The enter route uses it for its 409
// response.
func IncompleteRequiredAssessments(app core.App, sessionID, participantID string) ([]MissingAssessment, error) {
	assessments, err := findSessionAssessments(app, []string{sessionID})
	if err != nil {
		return nil, err
	}
	responses, err := findResponsesOf(app, participantID)
	if err != nil {
		return nil, err
	}
	missing := []MissingAssessment{}
	for _, assessment := range assessments {
		if assessment.RequiredToEnter && !responses[assessment.ID].Complete() {
			missing = append(missing, MissingAssessment{ID: assessment.ID, Name: assessment.Name, Kind: assessment.Kind})
		}
	}
	return missing, nil
}
