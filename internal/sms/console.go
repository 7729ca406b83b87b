package sms

import (
	"fmt"
	"io"
	"sync"
)

// ConsoleSender writes messages to a writer instead of sending them, for
// development and demos without Twilio credentials.
//
// WARNING: the written lines contain the message text, such as sign-in
// codes. Use it only where every reader of the output may sign in as anyone.
type ConsoleSender struct {
	mu     sync.Mutex
	output io.Writer
}

// NewConsoleSender returns a ConsoleSender that writes to output.
func NewConsoleSender(output io.Writer) *ConsoleSender {
	return &ConsoleSender{output: output}
}

// Send writes one line naming the last four digits of to, and the body.
// The number is masked so that console output does not collect full
// phone numbers, while demo users can still tell their message apart.
func (s *ConsoleSender) Send(to, body string) (Receipt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.output, "[SMS not sent, no Twilio credentials] to %s: %q\n", MaskNumber(to), body); err != nil {
		return Receipt{}, &Error{Kind: KindUnavailable, Message: "writing to the console failed", Err: err}
	}
	return Receipt{Status: StatusConsole}, nil
}

// MaskNumber returns number with all but its last four characters hidden,
// e.g. "…0123".
func MaskNumber(number string) string {
	runes := []rune(number)
	if len(runes) <= 4 {
		return "…"
	}
	return "…" + string(runes[len(runes)-4:])
}
