// Package sms sends text messages: through Twilio's REST API in production,
// or to a console writer in development and demos. Every failure is returned
// as an *Error whose Kind shows an operator what to do about it, so callers
// can record it without knowing Twilio's error codes.
package sms

import (
	"errors"
	"fmt"
)

// Sender sends one text message. Implementations are safe for concurrent use.
type Sender interface {
	// Send delivers body to the E.164 number to. It returns a Receipt on
	// success and an *Error otherwise.
	Send(to, body string) (Receipt, error)
}

// Statuses of a Receipt, as stored in Hearth's SMS log.
const (
	// StatusSent means the provider accepted the message for delivery.
	StatusSent = "sent"
	// StatusConsole means the message was written to the console instead of
	// being sent, because no provider is configured.
	StatusConsole = "console"
)

// Receipt describes an accepted message.
type Receipt struct {
	// Status is StatusSent or StatusConsole.
	Status string
	// ProviderID is the provider's message id (Twilio's "SM…" SID), if any.
	ProviderID string
}

// Kind classifies a failed send by what an operator can do about it.
type Kind int

// Kinds of failure.
const (
	// KindRejected is any other refusal by the provider, such as bad
	// credentials or an invalid sender.
	KindRejected Kind = iota
	// KindOptedOut means the recipient replied STOP to the sending number.
	KindOptedOut
	// KindRegionNotEnabled means the account may not send to the recipient's
	// country.
	KindRegionNotEnabled
	// KindInvalidNumber means the provider does not accept the recipient as
	// a phone number.
	KindInvalidNumber
	// KindUnavailable means the provider failed, timed out or returned a
	// response that is not its API's. The message may or may not have gone out.
	KindUnavailable
)

// String returns the kind's name as stored in logs.
func (k Kind) String() string {
	switch k {
	case KindOptedOut:
		return "opted out"
	case KindRegionNotEnabled:
		return "region not enabled"
	case KindInvalidNumber:
		return "invalid number"
	case KindUnavailable:
		return "provider unavailable"
	default:
		return "rejected"
	}
}

// Error is a failed send.
type Error struct {
	Kind Kind
	// Code is the provider's error code (Twilio's 5-digit code), or 0 when
	// the provider gave none, as on timeouts and non-API responses.
	Code int
	// Message is the provider's explanation or a description of the failure.
	Message string
	// Err is the underlying error, if any.
	Err error
}

// Error returns the kind, code and message in one line.
func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("sms %s (provider code %d): %s", e.Kind, e.Code, e.Message)
	}
	return fmt.Sprintf("sms %s: %s", e.Kind, e.Message)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error {
	return e.Err
}

// AsError returns err as an *Error, wrapping any other error as
// KindUnavailable, so that every failure can be logged the same way.
func AsError(err error) *Error {
	var sendErr *Error
	if errors.As(err, &sendErr) {
		return sendErr
	}
	return &Error{Kind: KindUnavailable, Message: err.Error(), Err: err}
}
