package hooks

import (
	"github.com/hearth-research/hearth/internal/surveylink"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Values of assessments.kind, assessments.timing and
// assessment_responses.status.
const (
	kindSurvey   = "survey"
	kindLocation = "location"

	timingBefore = "before"
	timingAfter  = "after"

	responseIncomplete = "incomplete"
	responseComplete   = "complete"
)

// memberSession is a therapy session as seen by one of its members.
type memberSession struct {
	ID               string `db:"id"`
	Name             string `db:"name"`
	StartsAt         string `db:"starts_at"`
	EndsAt           string `db:"ends_at"`
	Status           string `db:"status"`
	IsTherapist      bool   `db:"is_therapist"`
	ParticipantCount int    `db:"participant_count"`
}

// sessionAssessment is one assessments row, link template included.
type sessionAssessment struct {
	ID              string `db:"id"`
	TherapySession  string `db:"therapy_session"`
	Name            string `db:"name"`
	Kind            string `db:"kind"`
	Timing          string `db:"timing"`
	URL             string `db:"url"`
	RequiredToEnter bool   `db:"required_to_enter"`
}

// participantResponse is one assessment_responses row.
type participantResponse struct {
	Assessment  string `db:"assessment"`
	Participant string `db:"participant"`
	Status      string `db:"status"`
	CompletedAt string `db:"completed_at"`
	Answer      string `db:"answer"`
}

// Complete reports whether the response is marked complete.
func (r participantResponse) Complete() bool {
	return r.Status == responseComplete
}

// findMemberSessions returns every therapy session that lists userID as a
// participant or a therapist, newest first. It is one query: the relation
// columns are JSON arrays, searched with json_each.
//
// NOTE: this scans therapy_sessions, since SQLite cannot index inside JSON
// arrays. A study has hundreds to a few thousand sessions, which stays cheap
// (see BenchmarkHomePage).
func findMemberSessions(app core.App, userID string) ([]memberSession, error) {
	var sessions []memberSession
	err := app.DB().NewQuery(`
		SELECT s.id, s.name, s.starts_at, s.ends_at, s.status,
			EXISTS (SELECT 1 FROM json_each(s.therapists) WHERE value = {:user}) AS is_therapist,
			json_array_length(s.participants) AS participant_count
		FROM therapy_sessions s
		WHERE EXISTS (SELECT 1 FROM json_each(s.participants) WHERE value = {:user})
			OR EXISTS (SELECT 1 FROM json_each(s.therapists) WHERE value = {:user})
		ORDER BY s.starts_at DESC, s.id DESC`,
	).Bind(dbx.Params{"user": userID}).All(&sessions)
	return sessions, err
}

// findSessionAssessments returns the assessments of the given sessions,
// "before" ones first and then in the order staff created them.
func findSessionAssessments(app core.App, sessionIDs []string) ([]sessionAssessment, error) {
	if len(sessionIDs) == 0 {
		return nil, nil
	}
	var assessments []sessionAssessment
	err := app.DB().
		Select("id", "therapy_session", "name", "kind", "timing", "url", "required_to_enter").
		From("assessments").
		Where(dbx.In("therapy_session", toAnySlice(sessionIDs)...)).
		// "before" sorts after "after", so descending puts it first.
		OrderBy("timing DESC", "created", "id").
		All(&assessments)
	return assessments, err
}

// findResponsesOf returns every response of one participant, keyed by
// assessment id. It uses the participant index, so its cost grows with that
// participant's own responses only.
func findResponsesOf(app core.App, participantID string) (map[string]participantResponse, error) {
	var rows []participantResponse
	err := app.DB().
		Select("assessment", "participant", "status", "completed_at", "answer").
		From("assessment_responses").
		Where(dbx.HashExp{"participant": participantID}).
		All(&rows)
	if err != nil {
		return nil, err
	}
	byAssessment := make(map[string]participantResponse, len(rows))
	for _, row := range rows {
		byAssessment[row.Assessment] = row
	}
	return byAssessment, nil
}

// findResponsesTo returns every response to the given assessments.
func findResponsesTo(app core.App, assessmentIDs []string) ([]participantResponse, error) {
	if len(assessmentIDs) == 0 {
		return nil, nil
	}
	var rows []participantResponse
	err := app.DB().
		Select("assessment", "participant", "status", "completed_at", "answer").
		From("assessment_responses").
		Where(dbx.In("assessment", toAnySlice(assessmentIDs)...)).
		All(&rows)
	return rows, err
}

// surveyLinkFor fills an assessment's link template for one participant. It
// returns "" for assessments that are not surveys or have no template.
func surveyLinkFor(assessment sessionAssessment, participant *core.Record) string {
	if assessment.Kind != kindSurvey || assessment.URL == "" {
		return ""
	}
	return surveylink.Fill(assessment.URL, surveylink.Values{
		surveylink.Participant: participant.Id,
		surveylink.Session:     assessment.TherapySession,
		surveylink.Assessment:  assessment.ID,
		surveylink.ExternalID:  participant.GetString("external_id"),
	})
}

// formatDate turns a stored PocketBase date into RFC 3339 UTC with
// milliseconds (as action timestamps), or nil when the date is unset, so
// that JSON shows null.
func formatDate(stored string) *string {
	parsed, err := types.ParseDateTime(stored)
	if err != nil || parsed.IsZero() {
		return nil
	}
	formatted := parsed.Time().UTC().Format(timestampLayout)
	return &formatted
}

func toAnySlice(values []string) []any {
	result := make([]any, len(values))
	for i, value := range values {
		result[i] = value
	}
	return result
}
