package hooks

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// maxCheckInAnswer is the longest location answer, in characters.
const maxCheckInAnswer = 200

// handleCheckIn records where a participant is right now, as the answer to
// a "location" assessment of their session. Checking in again replaces the
// answer. Only the participant and the session's therapists can read it,
// through the assessments route.
func (h *Hearth) handleCheckIn(e *core.RequestEvent) error {
	// An unknown session gets the same 403 as one the caller does not belong
	// to, so that session ids cannot be probed.
	session, err := e.App.FindRecordById("therapy_sessions", e.Request.PathValue("id"))
	if errors.Is(err, sql.ErrNoRows) {
		return errNotMember(e)
	}
	if err != nil {
		return e.InternalServerError("Failed to load the therapy session.", err)
	}
	if !slices.Contains(session.GetStringSlice("participants"), e.Auth.Id) {
		return e.ForbiddenError("Only participants of this therapy session can check in.", nil)
	}
	assessment, err := e.App.FindRecordById("assessments", e.Request.PathValue("assessmentId"))
	if err != nil || assessment.GetString("therapy_session") != session.Id {
		return e.NotFoundError("Assessment not found in this therapy session.", err)
	}
	if assessment.GetString("kind") != kindLocation {
		return e.BadRequestError("This assessment is not a location check-in.", nil)
	}

	answer, err := readCheckInAnswer(e.Request)
	if err != nil {
		return e.BadRequestError("The check-in answer is invalid.", err)
	}

	response, err := upsertResponse(e.App, assessment.Id, e.Auth.Id, func(response *core.Record) bool {
		response.Set("status", responseComplete)
		response.Set("completed_at", types.NowDateTime())
		response.Set("answer", answer)
		return true
	})
	if err != nil {
		return e.InternalServerError("Failed to save the check-in.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{
		"assessment":   assessment.Id,
		"status":       response.GetString("status"),
		"completed_at": formatDate(response.GetString("completed_at")),
		"answer":       response.GetString("answer"),
	})
}

// readCheckInAnswer reads {"answer": "..."} and returns the trimmed answer,
// or validation errors on the answer field.
func readCheckInAnswer(r *http.Request) (string, error) {
	invalid := func(code, message string) error {
		return validation.Errors{"answer": validation.NewError(code, message)}
	}

	// encoding/json would silently turn invalid UTF-8 into U+FFFD, so the
	// raw body is checked first.
	raw, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	if err != nil {
		return "", invalid("validation_invalid_body", "The request body could not be read.")
	}
	if !utf8.Valid(raw) {
		return "", invalid("validation_invalid_utf8", "The answer must be valid UTF-8 text.")
	}
	var body struct {
		Answer *string `json:"answer"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Answer == nil {
		return "", invalid("validation_required", `Send a JSON object such as {"answer": "At home"}.`)
	}

	answer := strings.TrimSpace(*body.Answer)
	length := utf8.RuneCountInString(answer)
	switch {
	case length == 0:
		return "", invalid("validation_required", "Say where you are.")
	case length > maxCheckInAnswer:
		return "", invalid("validation_length_out_of_range", "Keep the answer to 200 characters or fewer.")
	}
	for _, r := range answer {
		// U+FFFD is what JSON decoding makes of an unpaired surrogate escape.
		if unicode.IsControl(r) || r == utf8.RuneError {
			return "", invalid("validation_invalid_characters", "The answer must be one line of plain text.")
		}
	}
	return answer, nil
}
