package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"time"
	"unicode/utf8"
)

// Completion is one notice in Hearth's JSON webhook form:
//
//	{"participant": "<users id or external_id>", "assessment": "<assessments id>",
//	 "status": "complete", "completed_at": "2026-03-01T18:30:00Z"}
//
// The field completed_at is optional (RFC 3339), and status must be "complete".
type Completion struct {
	Participant string
	Assessment  string
	// CompletedAt is the zero time when the notice did not give one.
	CompletedAt time.Time
}

type completionBody struct {
	Participant *string `json:"participant"`
	Assessment  *string `json:"assessment"`
	Status      *string `json:"status"`
	CompletedAt *string `json:"completed_at"`
}

// ParseJSON reads a Completion from a JSON body. Unknown fields are rejected,
// so that a misspelt field name fails loudly instead of being ignored.
func ParseJSON(data []byte) (Completion, error) {
	// encoding/json silently replaces invalid UTF-8 with U+FFFD.
	if !utf8.Valid(data) {
		return Completion{}, FieldErrors{"body": "Not valid UTF-8 text."}
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	var body completionBody
	if err := decoder.Decode(&body); err != nil {
		return Completion{}, FieldErrors{"body": "Not a JSON object of the documented form: " + jsonProblem(err)}
	}
	if _, err := decoder.Token(); !errors.Is(err, io.EOF) {
		return Completion{}, FieldErrors{"body": "Extra data after the JSON object."}
	}

	var completion Completion
	errs := FieldErrors{}
	if body.Participant == nil {
		errs["participant"] = "Missing value."
	} else if problem := checkID(*body.Participant, true); problem != "" {
		errs["participant"] = problem
	} else {
		completion.Participant = *body.Participant
	}
	if body.Assessment == nil {
		errs["assessment"] = "Missing value."
	} else if problem := checkID(*body.Assessment, true); problem != "" {
		errs["assessment"] = problem
	} else {
		completion.Assessment = *body.Assessment
	}
	if body.Status == nil || *body.Status != "complete" {
		errs["status"] = `Must be "complete".`
	}
	if body.CompletedAt != nil && *body.CompletedAt != "" {
		at, err := time.Parse(time.RFC3339Nano, *body.CompletedAt)
		if err != nil {
			errs["completed_at"] = "Not an RFC 3339 time such as 2026-03-01T18:30:00Z."
		} else {
			completion.CompletedAt = at.UTC()
		}
	}
	if len(errs) > 0 {
		return Completion{}, errs
	}
	return completion, nil
}

// jsonProblem turns a decoding error into a short clause without echoing
// input values.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return "invalid JSON syntax."
	case errors.As(err, &typeErr):
		return "field " + typeErr.Field + " must be a " + typeErr.Type.String() + "."
	case errors.Is(err, io.EOF):
		return "the body is empty."
	default:
		// DisallowUnknownFields reports `json: unknown field "name"`.
		return err.Error()
	}
}
