package hearthtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// FakeTwilio is a local stand-in for Twilio's Messages API, listening on
// 127.0.0.1, for tests that run the real twilio-go client over HTTP. It
// records every message request and responds to each with a chosen Reply.
type FakeTwilio struct {
	// URL is the base URL to use as TWILIO_API_URL.
	URL string
	// AccountSID and AuthToken are the only credentials it accepts.
	AccountSID, AuthToken string

	server *httptest.Server

	mu       sync.Mutex
	requests []FakeSMS
	replies  map[string]Reply
	sequence int
}

// FakeSMS is one message request the fake received.
type FakeSMS struct {
	To, From, MessagingServiceSID, Body string
	// Reply is the fake's response.
	Reply Reply
}

// Reply selects the fake's response to a message request.
type Reply int

// Replies the fake can give, each a class of Twilio outcome.
const (
	// ReplyAccept returns 201 with a queued message, as Twilio does.
	ReplyAccept Reply = iota
	// ReplyOptedOut returns Twilio's error 21610: the recipient replied STOP.
	ReplyOptedOut
	// ReplyRegionNotEnabled returns Twilio's error 21408: no permission to send
	// to the recipient's region.
	ReplyRegionNotEnabled
	// ReplyInvalidNumber returns Twilio's error 21211: the To number is invalid.
	ReplyInvalidNumber
	// ReplyServerError returns 500 with Twilio's JSON error 20500.
	ReplyServerError
	// ReplyHTMLBadGateway returns 502 with an HTML page, as a proxy or load
	// balancer in front of Twilio would.
	ReplyHTMLBadGateway
	// ReplyHang sends no response and returns only when the client gives up.
	ReplyHang
)

// NewFakeTwilio starts a fake on 127.0.0.1 and stops it when the test ends.
func NewFakeTwilio(t testing.TB) *FakeTwilio {
	t.Helper()
	fake := &FakeTwilio{
		AccountSID: "AC00000000000000000000000000000001",
		AuthToken:  "faketoken0000000000000000000001",
		replies:    map[string]Reply{},
	}
	fake.server = httptest.NewServer(http.HandlerFunc(fake.serveHTTP))
	fake.URL = fake.server.URL
	t.Cleanup(fake.server.Close)
	return fake
}

// SetReply makes the fake respond with reply to every later message to
// the E.164 number to. Other numbers are accepted.
func (f *FakeTwilio) SetReply(to string, reply Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[to] = reply
}

// Messages returns every message request received so far, in order.
func (f *FakeTwilio) Messages() []FakeSMS {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FakeSMS(nil), f.requests...)
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// LastCode returns the first 6-digit number in the last message body sent
// to the E.164 number to, or "" if there is none.
func (f *FakeTwilio) LastCode(to string) string {
	messages := f.Messages()
	for i := len(messages) - 1; i >= 0; i-- {
		if messages[i].To == to {
			return sixDigits.FindString(messages[i].Body)
		}
	}
	return ""
}

func (f *FakeTwilio) serveHTTP(w http.ResponseWriter, r *http.Request) {
	messagesPath := "/2010-04-01/Accounts/" + f.AccountSID + "/Messages.json"
	if r.Method != http.MethodPost || r.URL.Path != messagesPath {
		writeTwilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if user, password, ok := r.BasicAuth(); !ok || user != f.AccountSID || password != f.AuthToken {
		writeTwilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeTwilioError(w, http.StatusBadRequest, 21100, "Invalid form body")
		return
	}

	message := FakeSMS{
		To:                  r.PostForm.Get("To"),
		From:                r.PostForm.Get("From"),
		MessagingServiceSID: r.PostForm.Get("MessagingServiceSid"),
		Body:                r.PostForm.Get("Body"),
	}
	f.mu.Lock()
	message.Reply = f.replies[message.To]
	f.requests = append(f.requests, message)
	f.sequence++
	sequence := f.sequence
	f.mu.Unlock()

	switch message.Reply {
	case ReplyOptedOut:
		writeTwilioError(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
	case ReplyRegionNotEnabled:
		writeTwilioError(w, http.StatusBadRequest, 21408,
			"Permission to send an SMS has not been enabled for the region indicated by the 'To' number: "+message.To)
	case ReplyInvalidNumber:
		writeTwilioError(w, http.StatusBadRequest, 21211, "The 'To' number "+message.To+" is not a valid phone number.")
	case ReplyServerError:
		writeTwilioError(w, http.StatusInternalServerError, 20500, "Internal Server Error")
	case ReplyHTMLBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>")
	case ReplyHang:
		<-r.Context().Done()
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{
			"sid":                   fmt.Sprintf("SM%032d", sequence),
			"account_sid":           f.AccountSID,
			"to":                    message.To,
			"from":                  message.From,
			"messaging_service_sid": nullIfEmpty(message.MessagingServiceSID),
			"body":                  message.Body,
			"status":                "queued",
			"num_segments":          "1",
			"direction":             "outbound-api",
			"api_version":           "2010-04-01",
			"error_code":            nil,
			"error_message":         nil,
			"uri":                   strings.TrimSuffix(messagesPath, ".json") + fmt.Sprintf("/SM%032d.json", sequence),
		})
	}
}

func nullIfEmpty(value string) any {
	if value == "" {
		return nil
	}
	return value
}

// writeTwilioError writes Twilio's legacy JSON error body.
func writeTwilioError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}
