package hooks

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/hearth-research/hearth/internal/webhook"
	"github.com/pocketbase/pocketbase/core"
)

// maxClockSkew is how far in the future a sent completed_at may be, to
// allow for a survey tool's clock running ahead.
const maxClockSkew = 5 * time.Minute

// handleSurveyWebhook receives Hearth's JSON completion form from survey
// tools other than REDCap:
//
//	POST /api/webhooks/survey
//	X-Hearth-Secret: <secret>        (or Authorization: Bearer <secret>)
//	{"participant": "<users id or external_id>", "assessment": "<assessments id>",
//	 "status": "complete", "completed_at": "<RFC 3339, optional>"}
//
// Ids that match nothing get status 200 with their outcome (for example
// unknown_participant) and a log row, as with REDCap, so that a tool that
// retries on errors does not retry forever. Malformed bodies get 400 with
// field errors.
func (h *Hearth) handleSurveyWebhook(e *core.RequestEvent) error {
	delivery := webhookDelivery{Source: "json", ClientIP: h.clientAddress(e)}
	// A secret sent in the query string by mistake is not accepted; the
	// hideSecretFromRequestLog middleware has kept it out of the request log.
	if !h.webhookSecretMatches(headerSecret(e.Request)) {
		delivery.Outcome = outcomeUnauthorized
		logWebhookDelivery(e.App, delivery)
		return e.UnauthorizedError("The webhook secret is missing or wrong; send it in the X-Hearth-Secret header.", nil)
	}

	body, err := io.ReadAll(http.MaxBytesReader(e.Response, e.Request.Body, maxWebhookBody))
	if err != nil {
		delivery.Outcome, delivery.Detail = outcomeInvalid, "The body could not be read or is too large."
		logWebhookDelivery(e.App, delivery)
		return e.BadRequestError("The body could not be read or is larger than 64 KiB.", err)
	}
	completion, err := webhook.ParseJSON(body)
	if err == nil && completion.CompletedAt.After(time.Now().Add(maxClockSkew)) {
		err = webhook.FieldErrors{"completed_at": "In the future."}
	}
	if err != nil {
		delivery.Outcome, delivery.Detail = outcomeInvalid, err.Error()
		logWebhookDelivery(e.App, delivery)
		return e.BadRequestError("The survey completion is invalid.", fieldErrorsData(err))
	}
	delivery.Record = completion.Participant

	delivery.Outcome, err = applySurveyCompletion(e.App, completion, &delivery)
	if err != nil {
		return e.InternalServerError("Failed to record the survey completion.", err)
	}
	logWebhookDelivery(e.App, delivery)
	return e.JSON(http.StatusOK, map[string]string{"outcome": delivery.Outcome})
}

// applySurveyCompletion maps a completion to a response and completes it.
// The participant is looked up by users id first, then by external_id.
func applySurveyCompletion(app core.App, completion webhook.Completion, delivery *webhookDelivery) (string, error) {
	participant, err := app.FindRecordById("users", completion.Participant)
	if err != nil {
		participant, err = app.FindFirstRecordByData("users", "external_id", completion.Participant)
	}
	if err != nil {
		delivery.Detail = "No user has this id or external_id."
		return outcomeUnknownParticipant, nil
	}
	delivery.Participant = participant.Id

	assessment, err := app.FindRecordById("assessments", completion.Assessment)
	if err != nil || assessment.GetString("kind") != kindSurvey {
		delivery.Detail = "No survey assessment has this id."
		return outcomeUnknownAssessment, nil
	}
	delivery.Assessment = assessment.Id

	session, err := app.FindRecordById("therapy_sessions", assessment.GetString("therapy_session"))
	if err != nil {
		return "", err
	}
	if !slices.Contains(session.GetStringSlice("participants"), participant.Id) {
		delivery.Detail = "This user is not a participant of the assessment's therapy session."
		return outcomeUnknownParticipant, nil
	}
	return completeSurveyResponse(app, assessment.Id, participant.Id, completion.CompletedAt)
}

// fieldErrorsData turns the webhook package's field errors into the
// validation errors that PocketBase shows under "data" of a 400 response.
func fieldErrorsData(err error) error {
	var fieldErrs webhook.FieldErrors
	if !errors.As(err, &fieldErrs) {
		return err
	}
	data := validation.Errors{}
	for field, message := range fieldErrs {
		data[field] = validation.NewError("validation_invalid_"+field, message)
	}
	return data
}
