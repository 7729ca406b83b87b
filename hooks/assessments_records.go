package hooks

import (
	"fmt"
	"slices"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/hearth-research/hearth/internal/surveylink"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// bindAssessmentRecords keeps assessments and their responses consistent
// however they are saved (admin UI, REST API, Go):
//   - a survey's link template is checked when it is saved;
//   - every participant of a session has one assessment_responses row per
//     assessment of it, created as incomplete, so that staff can mark it
//     complete in the admin UI;
//   - a response marked complete gets a completed_at, and one marked
//     incomplete loses it.
func (h *Hearth) bindAssessmentRecords() {
	h.app.OnRecordValidate("assessments").BindFunc(func(e *core.RecordEvent) error {
		return mergeFieldErrors(e.Next(), validateAssessment(e.Record))
	})

	h.app.OnRecordCreate("assessments").BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		return createMissingResponses(e.App, e.Record.GetString("therapy_session"), []string{e.Record.Id}, nil)
	})
	h.app.OnRecordUpdate("assessments").BindFunc(func(e *core.RecordEvent) error {
		moved := e.Record.GetString("therapy_session") != e.Record.Original().GetString("therapy_session")
		if err := e.Next(); err != nil || !moved {
			return err
		}
		return createMissingResponses(e.App, e.Record.GetString("therapy_session"), []string{e.Record.Id}, nil)
	})

	h.app.OnRecordUpdate("therapy_sessions").BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original().GetStringSlice("participants")
		var added []string
		for _, id := range e.Record.GetStringSlice("participants") {
			if !slices.Contains(before, id) {
				added = append(added, id)
			}
		}
		if err := e.Next(); err != nil || len(added) == 0 {
			return err
		}
		return createMissingResponses(e.App, e.Record.Id, nil, added)
	})

	stampCompletion := func(e *core.RecordEvent) error {
		switch e.Record.GetString("status") {
		case responseComplete:
			if e.Record.GetDateTime("completed_at").IsZero() {
				e.Record.Set("completed_at", types.NowDateTime())
			}
		case responseIncomplete:
			e.Record.Set("completed_at", "")
		}
		return e.Next()
	}
	h.app.OnRecordCreate("assessment_responses").BindFunc(stampCompletion)
	h.app.OnRecordUpdate("assessment_responses").BindFunc(stampCompletion)

	h.app.OnRecordValidate("assessment_responses").BindFunc(func(e *core.RecordEvent) error {
		return mergeFieldErrors(e.Next(), validateNewResponse(e.App, e.Record))
	})
}

// validateAssessment checks what the field options cannot: a survey needs a
// valid link template.
func validateAssessment(assessment *core.Record) validation.Errors {
	template := assessment.GetString("url")
	if assessment.GetString("kind") == kindSurvey && template == "" {
		return validation.Errors{"url": validation.NewError("validation_survey_link_missing",
			"A survey needs a link, e.g. https://survey.example.org/s/abc?participant={participant}.")}
	}
	if template == "" {
		return nil
	}
	if err := surveylink.Validate(template); err != nil {
		return validation.Errors{"url": validation.NewError("validation_survey_link_invalid", err.Error())}
	}
	return nil
}

// validateNewResponse rejects a new response of someone who is not a
// participant of the assessment's session. Existing rows are left alone,
// because people removed from a session keep their responses.
func validateNewResponse(app core.App, response *core.Record) validation.Errors {
	if !response.IsNew() {
		return nil
	}
	assessment, err := app.FindRecordById("assessments", response.GetString("assessment"))
	if err != nil {
		return nil // the relation field reports a missing assessment itself
	}
	session, err := app.FindRecordById("therapy_sessions", assessment.GetString("therapy_session"))
	if err != nil {
		return nil
	}
	if !slices.Contains(session.GetStringSlice("participants"), response.GetString("participant")) {
		return validation.Errors{"participant": validation.NewError("validation_not_session_participant",
			"This person is not a participant of the assessment's therapy session.")}
	}
	return nil
}

// createMissingResponses creates an incomplete response for every pair of an
// assessment and a participant of the session that has none yet. A nil
// assessmentIDs means all of the session's assessments, and a nil
// participantIDs all of its participants.
func createMissingResponses(app core.App, sessionID string, assessmentIDs, participantIDs []string) error {
	if assessmentIDs == nil {
		err := app.DB().Select("id").From("assessments").
			Where(dbx.HashExp{"therapy_session": sessionID}).Column(&assessmentIDs)
		if err != nil {
			return fmt.Errorf("list assessments of session %q: %w", sessionID, err)
		}
	}
	if participantIDs == nil {
		session, err := app.FindRecordById("therapy_sessions", sessionID)
		if err != nil {
			return fmt.Errorf("find session %q: %w", sessionID, err)
		}
		participantIDs = session.GetStringSlice("participants")
	}
	if len(assessmentIDs) == 0 || len(participantIDs) == 0 {
		return nil
	}

	existing, err := findResponsesTo(app, assessmentIDs)
	if err != nil {
		return fmt.Errorf("list responses: %w", err)
	}
	have := make(map[[2]string]bool, len(existing))
	for _, response := range existing {
		have[[2]string{response.Assessment, response.Participant}] = true
	}

	collection, err := app.FindCachedCollectionByNameOrId("assessment_responses")
	if err != nil {
		return err
	}
	for _, assessmentID := range assessmentIDs {
		for _, participantID := range participantIDs {
			if have[[2]string{assessmentID, participantID}] {
				continue
			}
			response := core.NewRecord(collection)
			response.Set("assessment", assessmentID)
			response.Set("participant", participantID)
			response.Set("status", responseIncomplete)
			if err := app.Save(response); err != nil {
				return fmt.Errorf("create response of %q to %q: %w", participantID, assessmentID, err)
			}
		}
	}
	return nil
}

// mergeFieldErrors adds extra field errors to the result of the default
// validation, so that staff see every problem of a form at once.
func mergeFieldErrors(err error, extra validation.Errors) error {
	if len(extra) == 0 {
		return err
	}
	if err == nil {
		return extra
	}
	if errs, ok := err.(validation.Errors); ok {
		for field, fieldErr := range extra {
			if _, taken := errs[field]; !taken {
				errs[field] = fieldErr
			}
		}
		return errs
	}
	return err
}
