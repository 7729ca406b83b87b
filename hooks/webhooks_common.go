package hooks

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// maxWebhookBody is the largest webhook body read, in bytes. Both forms are
// a few hundred bytes.
const maxWebhookBody = 64 << 10

// Outcomes of a webhook delivery, stored in survey_webhook_log.outcome and
// returned to the sender.
const (
	outcomeCompleted          = "completed"
	outcomeAlreadyComplete    = "already_complete"
	outcomeNotComplete        = "not_complete"
	outcomeUnknownParticipant = "unknown_participant"
	outcomeUnknownAssessment  = "unknown_assessment"
	outcomeAmbiguous          = "ambiguous"
	outcomeInvalid            = "invalid"
	outcomeUnauthorized       = "unauthorized"
)

// webhookDelivery is one row of survey_webhook_log.
type webhookDelivery struct {
	Source      string // "redcap" or "json"
	Outcome     string
	Record      string
	Instrument  string
	Event       string
	Participant string // users id, once matched
	Assessment  string // assessments id, once matched
	Detail      string
	ClientIP    string
}

// webhookSecretMatches compares a provided secret with the configured one in
// constant time. Both are hashed first so that the comparison does not
// reveal the secret's length either.
func (h *Hearth) webhookSecretMatches(provided string) bool {
	if provided == "" {
		return false
	}
	want := sha256.Sum256([]byte(h.config.WebhookSecret))
	got := sha256.Sum256([]byte(provided))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

// headerSecret returns the secret sent as X-Hearth-Secret or as an
// Authorization bearer token.
func headerSecret(r *http.Request) string {
	if secret := r.Header.Get("X-Hearth-Secret"); secret != "" {
		return secret
	}
	authorization := r.Header.Get("Authorization")
	if len(authorization) > 7 && strings.EqualFold(authorization[:7], "Bearer ") {
		return authorization[7:]
	}
	return ""
}

// webhookQuerySecretKey is the request store key of a secret that arrived
// in the webhook URL's query string.
const webhookQuerySecretKey = "hearthWebhookQuerySecret"

// hideSecretFromRequestLog moves a ?secret= out of webhook URLs into the
// request store, because PocketBase's request log, which staff read in the
// admin UI, stores the URL. It runs just inside PocketBase's request logger,
// so that even a request refused before any handler (by the rate limiter,
// say) is logged without the secret.
func hideSecretFromRequestLog(e *core.RequestEvent) error {
	if !strings.HasPrefix(e.Request.URL.Path, "/api/webhooks/") {
		return e.Next()
	}
	query := e.Request.URL.Query()
	if query.Has("secret") {
		e.Set(webhookQuerySecretKey, query.Get("secret"))
		query.Del("secret")
		e.Request.URL.RawQuery = query.Encode()
	}
	return e.Next()
}

// querySecret returns the secret that came in the webhook URL, if any.
func querySecret(e *core.RequestEvent) string {
	secret, _ := e.Get(webhookQuerySecretKey).(string)
	return secret
}

// logWebhookDelivery stores a delivery for staff. A failure is logged and
// swallowed, because the HTTP response to the sender must not depend on it.
//
// NOTE: deliveries with a wrong secret are stored too, with no limit here,
// so PocketBase's rate limiter is the guard against a flood of them.
func logWebhookDelivery(app core.App, delivery webhookDelivery) {
	collection, err := app.FindCachedCollectionByNameOrId("survey_webhook_log")
	if err != nil {
		app.Logger().Error("Failed to find the survey webhook log", "error", err)
		return
	}
	row := core.NewRecord(collection)
	row.Set("source", delivery.Source)
	row.Set("outcome", delivery.Outcome)
	row.Set("record", truncateText(delivery.Record, 100))
	row.Set("instrument", truncateText(delivery.Instrument, 100))
	row.Set("event", truncateText(delivery.Event, 100))
	row.Set("participant", delivery.Participant)
	row.Set("assessment", delivery.Assessment)
	row.Set("detail", truncateText(delivery.Detail, 500))
	row.Set("client_ip", truncateText(delivery.ClientIP, 64))
	if err := app.Save(row); err != nil {
		app.Logger().Error("Failed to log a survey webhook delivery", "error", err,
			"source", delivery.Source, "outcome", delivery.Outcome)
	}
}

// completeSurveyResponse marks a response complete at the given time (now if
// zero), unless it is complete already: a repeated delivery changes nothing
// and returns outcomeAlreadyComplete.
func completeSurveyResponse(app core.App, assessmentID, participantID string, at time.Time) (string, error) {
	outcome := outcomeCompleted
	_, err := upsertResponse(app, assessmentID, participantID, func(response *core.Record) bool {
		if response.GetString("status") == responseComplete {
			outcome = outcomeAlreadyComplete
			return false
		}
		if at.IsZero() {
			at = time.Now()
		}
		stamp, _ := types.ParseDateTime(at)
		response.Set("status", responseComplete)
		response.Set("completed_at", stamp)
		return true
	})
	return outcome, err
}

// truncateText makes s valid UTF-8 and cuts it to at most max bytes without
// splitting a character, for log fields that may receive anything.
func truncateText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}
