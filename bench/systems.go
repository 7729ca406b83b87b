package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The three servers a scenario can drive.
const (
	hearthSystem = "Hearth"
	barePBSystem = "PocketBase"
	minSSESystem = "minimal SSE"
)

// system is a started server and the room layout its clients use: person p
// is in room p/roomSize.
type system struct {
	name     string
	proc     *process
	seed     *seeded
	roomSize int
	client   *http.Client
}

func (s *system) room(p int) int { return p / s.roomSize }

// roomKey is the room's name in the PocketBase filter and minimal server.
func roomKey(room int) string { return "r" + strconv.Itoa(room) }

// sessionID returns the Hearth therapy session of person p's room.
func (s *system) sessionID(p int) string { return s.seed.rooms[s.roomSize][s.room(p)] }

func (s *system) token(p int) string { return s.seed.people[p].Token }

// messageBody returns the text a benchmark message carries: who sent it,
// the sender's sequence number, and the send time, so readers can measure
// delivery latency and spot loss, duplicates and reordering.
func messageBody(sender int, seq int64) string {
	return fmt.Sprintf("bench %d %d %d", sender, seq, time.Now().UnixNano())
}

// postTarget returns the request that posts body to person p's room.
func (s *system) postTarget(p int, seq int64, body string) vegeta.Target {
	header := http.Header{"Content-Type": {"application/json"}}
	target := vegeta.Target{Method: http.MethodPost, Header: header}
	switch s.name {
	case hearthSystem:
		header.Set("Authorization", s.token(p))
		target.URL = s.proc.base + "/api/therapy-sessions/" + s.sessionID(p) + "/actions"
		item := map[string]any{
			"client_id":         "b" + strconv.FormatInt(seq, 10),
			"client_ts":         time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"),
			"type":              "post",
			"body":              body,
			"recipients":        []string{},
			"time_to_complete":  1.5,
			"character_history": body,
		}
		target.Body, _ = json.Marshal([]any{item})
	case barePBSystem:
		header.Set("Authorization", s.token(p))
		target.URL = s.proc.base + "/api/collections/msgs/records"
		target.Body, _ = json.Marshal(map[string]string{"room": roomKey(s.room(p)), "body": body})
	default:
		header.Set("Content-Type", "text/plain")
		target.URL = s.proc.base + "/rooms/" + roomKey(s.room(p)) + "/messages"
		target.Body = []byte(body)
	}
	return target
}

// enter puts person p inside their Hearth room, which the room topic and
// the action routes require. The other systems have no such step.
func (s *system) enter(ctx context.Context, p int) error {
	if s.name != hearthSystem {
		return nil
	}
	_, err := s.call(ctx, http.MethodPost, "/api/therapy-sessions/"+s.sessionID(p)+"/enter", s.token(p), nil)
	return err
}

// call sends one request and returns the body of a 2xx response.
func (s *system) call(ctx context.Context, method, path, token string, body any) ([]byte, error) {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		reader = bytes.NewReader(data)
	}
	request, err := http.NewRequestWithContext(ctx, method, s.proc.base+path, reader)
	if err != nil {
		return nil, err
	}
	request.Header.Set("Content-Type", "application/json")
	if token != "" {
		request.Header.Set("Authorization", token)
	}
	response, err := s.client.Do(request)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		return nil, err
	}
	if response.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: status %d: %.300s", method, path, response.StatusCode, data)
	}
	return data, nil
}

// streamPath returns the URL path that opens person p's event stream.
func (s *system) streamPath(p int) string {
	if s.name == minSSESystem {
		return "/events?room=" + roomKey(s.room(p))
	}
	return "/api/realtime"
}

// subscription returns the PocketBase realtime subscription for person p.
func (s *system) subscription(p int) string {
	if s.name == hearthSystem {
		return "therapy-sessions/" + s.sessionID(p)
	}
	options := `{"query":{"filter":"room='` + roomKey(s.room(p)) + `'"}}`
	return "msgs/*?options=" + url.QueryEscape(options)
}

// parsedEvent is the content of one delivery, in a shape common to all systems.
type parsedEvent struct {
	Body      string
	ServerSeq int64 // the room's sequence number; 0 where the system has none
	Ended     bool  // a Hearth control message ending the delivery
}

// parseEvent reads the JSON data of one delivered event.
func (s *system) parseEvent(data []byte) (parsedEvent, error) {
	var event parsedEvent
	switch s.name {
	case barePBSystem:
		var message struct {
			Record struct {
				Body string `json:"body"`
			} `json:"record"`
		}
		err := json.Unmarshal(data, &message)
		event.Body = message.Record.Body
		return event, err
	default:
		var message struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
			Body string `json:"body"`
		}
		err := json.Unmarshal(data, &message)
		event.Body, event.ServerSeq = message.Body, message.ID
		event.Ended = message.Type == "ended"
		return event, err
	}
}

// actionPage is the response body of Hearth's GET …/actions.
type actionPage struct {
	MaxID   int64 `json:"max_id"`
	Actions []struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
		Body string `json:"body"`
	} `json:"actions"`
}

// actionsAfter reads one page of person p's room log after id.
func (s *system) actionsAfter(ctx context.Context, p int, after int64) (actionPage, error) {
	var page actionPage
	path := "/api/therapy-sessions/" + s.sessionID(p) + "/actions?after=" + strconv.FormatInt(after, 10)
	data, err := s.call(ctx, http.MethodGet, path, s.token(p), nil)
	if err != nil {
		return page, err
	}
	return page, json.Unmarshal(data, &page)
}

// rawJSON is a request body that is already encoded.
type rawJSON []byte

// MarshalJSON returns the encoded body unchanged.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }
