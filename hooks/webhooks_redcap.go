package hooks

import (
	"net/http"
	"time"

	"github.com/hearth-research/hearth/internal/webhook"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// handleREDCapWebhook receives REDCap's Data Entry Trigger, which REDCap
// posts (form-encoded) each time a form of a record is saved. The record is
// matched to users.external_id, and the instrument and event to the
// assessments.redcap_instrument and redcap_event of that participant's
// sessions. Only the form status Complete ("2") completes a response.
//
// Every delivery gets status 200 unless the secret is wrong (401) or the
// form is malformed (400), because only staff can fix a mapping that
// matches nothing, and the sender cannot. What happened is stored in survey_webhook_log.
func (h *Hearth) handleREDCapWebhook(e *core.RequestEvent) error {
	delivery := webhookDelivery{Source: "redcap", ClientIP: h.clientAddress(e)}

	// REDCap's Data Entry Trigger URL cannot carry headers, so the secret
	// may come in the query string.
	secret := querySecret(e)
	if secret == "" {
		secret = headerSecret(e.Request)
	}
	if !h.webhookSecretMatches(secret) {
		delivery.Outcome = outcomeUnauthorized
		logWebhookDelivery(e.App, delivery)
		return e.UnauthorizedError("The webhook secret is missing or wrong.", nil)
	}

	e.Request.Body = http.MaxBytesReader(e.Response, e.Request.Body, maxWebhookBody)
	if err := e.Request.ParseForm(); err != nil {
		delivery.Outcome, delivery.Detail = outcomeInvalid, "The body is not a readable form."
		logWebhookDelivery(e.App, delivery)
		return e.BadRequestError("The body must be a form-encoded Data Entry Trigger.", err)
	}
	form := e.Request.PostForm
	delivery.Record, delivery.Instrument, delivery.Event = form.Get("record"), form.Get("instrument"), form.Get("redcap_event_name")

	trigger, err := webhook.ParseREDCap(form)
	if err != nil {
		delivery.Outcome, delivery.Detail = outcomeInvalid, err.Error()
		logWebhookDelivery(e.App, delivery)
		return e.BadRequestError("The Data Entry Trigger is invalid.", fieldErrorsData(err))
	}

	delivery.Outcome, err = h.applyREDCapTrigger(e.App, trigger, &delivery)
	if err != nil {
		return e.InternalServerError("Failed to record the survey completion.", err)
	}
	logWebhookDelivery(e.App, delivery)
	return e.JSON(http.StatusOK, map[string]string{"outcome": delivery.Outcome})
}

// applyREDCapTrigger maps a trigger to a response and completes it. It
// fills in the matched ids and a detail for staff on delivery.
func (h *Hearth) applyREDCapTrigger(app core.App, trigger webhook.REDCapTrigger, delivery *webhookDelivery) (string, error) {
	participant, err := app.FindFirstRecordByData("users", "external_id", trigger.Record)
	if err != nil {
		delivery.Detail = "No user has this record id as external_id."
		return outcomeUnknownParticipant, nil
	}
	delivery.Participant = participant.Id

	candidates, err := findREDCapAssessments(app, participant.Id, trigger.Instrument, trigger.Event)
	if err != nil {
		return "", err
	}
	switch len(candidates) {
	case 0:
		delivery.Detail = "No survey of this participant's sessions has this redcap_instrument (and redcap_event)."
		return outcomeUnknownAssessment, nil
	case 1:
		delivery.Assessment = candidates[0]
	default:
		delivery.Detail = "Several surveys of this participant's sessions match; set redcap_event on each to tell them apart."
		return outcomeAmbiguous, nil
	}

	if !trigger.Complete() {
		delivery.Detail = "Form status is " + quoteOrNone(trigger.CompleteStatus) + ", not Complete (2); nothing changed."
		return outcomeNotComplete, nil
	}
	// REDCap does not send when the form was completed, so it is now.
	return completeSurveyResponse(app, delivery.Assessment, participant.Id, time.Time{})
}

// findREDCapAssessments returns the ids of the survey assessments of the
// participant's sessions that name the instrument and either name the event
// or leave redcap_event empty (any event). Assessments that name the event
// exactly win over those that accept any.
func findREDCapAssessments(app core.App, participantID, instrument, event string) ([]string, error) {
	var rows []struct {
		ID    string `db:"id"`
		Event string `db:"redcap_event"`
	}
	err := app.DB().NewQuery(`
		SELECT a.id, a.redcap_event
		FROM assessments a
		JOIN therapy_sessions s ON s.id = a.therapy_session
		WHERE a.redcap_instrument = {:instrument}
			AND a.kind = 'survey'
			AND (a.redcap_event = '' OR a.redcap_event = {:event})
			AND EXISTS (SELECT 1 FROM json_each(s.participants) WHERE value = {:participant})
		ORDER BY a.id`,
	).Bind(dbx.Params{"instrument": instrument, "event": event, "participant": participantID}).All(&rows)
	if err != nil {
		return nil, err
	}

	var exact, anyEvent []string
	for _, row := range rows {
		if row.Event != "" {
			exact = append(exact, row.ID)
		} else {
			anyEvent = append(anyEvent, row.ID)
		}
	}
	if len(exact) > 0 {
		return exact, nil
	}
	return anyEvent, nil
}

func quoteOrNone(value string) string {
	if value == "" {
		return "missing"
	}
	return `"` + value + `"`
}
