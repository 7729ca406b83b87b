package hooks_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// sseEvent is one server-sent event.
type sseEvent struct {
	name string
	data string
}

// sseClient is a realtime connection to the test server, as the PocketBase
// SDK opens one.
type sseClient struct {
	t        *testing.T
	baseURL  string
	clientID string
	events   chan sseEvent
	response *http.Response
}

// guardTimeout only keeps a broken test from hanging; no assertion depends
// on how fast anything arrives.
const guardTimeout = 20 * time.Second

func connectSSE(t *testing.T, baseURL string) *sseClient {
	t.Helper()
	response, err := http.Get(baseURL + "/api/realtime")
	if err != nil {
		t.Fatal(err)
	}
	client := &sseClient{t: t, baseURL: baseURL, events: make(chan sseEvent, 64), response: response}
	t.Cleanup(func() { response.Body.Close() })

	go func() {
		defer close(client.events)
		scanner := bufio.NewScanner(response.Body)
		scanner.Buffer(make([]byte, 1<<20), 1<<20)
		var event sseEvent
		for scanner.Scan() {
			line := scanner.Text()
			switch {
			case line == "":
				client.events <- event
				event = sseEvent{}
			case strings.HasPrefix(line, "event:"):
				event.name = strings.TrimPrefix(line, "event:")
			case strings.HasPrefix(line, "data:"):
				event.data = strings.TrimPrefix(line, "data:")
			}
		}
	}()

	connect := client.next()
	var payload struct {
		ClientID string `json:"clientId"`
	}
	if connect.name != "PB_CONNECT" || json.Unmarshal([]byte(connect.data), &payload) != nil {
		t.Fatalf("first event %+v, want PB_CONNECT", connect)
	}
	client.clientID = payload.ClientID
	return client
}

// subscribe sets the client's subscriptions and returns the status.
func (c *sseClient) subscribe(token string, topics ...string) int {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"clientId": c.clientID, "subscriptions": topics})
	request, _ := http.NewRequest(http.MethodPost, c.baseURL+"/api/realtime", strings.NewReader(string(body)))
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("Authorization", token)
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		c.t.Fatal(err)
	}
	response.Body.Close()
	return response.StatusCode
}

// next returns the next event; ok is false when the stream has closed.
func (c *sseClient) nextOrClosed() (sseEvent, bool) {
	c.t.Helper()
	select {
	case event, ok := <-c.events:
		return event, ok
	case <-time.After(guardTimeout):
		c.t.Fatal("no realtime event arrived")
		return sseEvent{}, false
	}
}

func (c *sseClient) next() sseEvent {
	c.t.Helper()
	event, ok := c.nextOrClosed()
	if !ok {
		c.t.Fatal("the realtime stream closed")
	}
	return event
}

// nextAction returns the next event decoded as an action or control message.
func (c *sseClient) nextAction(topic string) testAction {
	c.t.Helper()
	event := c.next()
	if event.name != topic {
		c.t.Fatalf("event on %q, want %q: %s", event.name, topic, event.data)
	}
	var action testAction
	if err := json.Unmarshal([]byte(event.data), &action); err != nil {
		c.t.Fatalf("decode %s: %v", event.data, err)
	}
	for _, secret := range staffOnly {
		if strings.Contains(event.data, secret) {
			c.t.Errorf("a realtime event contains %q: %s", secret, event.data)
		}
	}
	return action
}

func TestRealtimeDeliversWhatEachMemberMaySee(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	server := httptest.NewServer(r.mux)
	t.Cleanup(server.Close) // runs after the streams' cleanups close them
	topic := "therapy-sessions/" + s.GroupA

	// Subscribing without being inside is refused and subscribes nothing.
	outsider := connectSSE(t, server.URL)
	if status := outsider.subscribe(s.Bob.Token, topic); status != 403 {
		t.Errorf("Bob before entering: status %d, want 403", status)
	}
	if status := outsider.subscribe(s.Dave.Token, topic); status != 403 {
		t.Errorf("non-member: status %d, want 403", status)
	}
	if status := outsider.subscribe("", topic); status != 403 {
		t.Errorf("guest: status %d, want 403", status)
	}

	tokens := map[string]string{"therapist": s.Therapist.Token, "alice": s.Alice.Token, "bob": s.Bob.Token}
	for _, token := range tokens {
		r.enter(s.GroupA, token)
	}
	clients := map[string]*sseClient{}
	for name, token := range tokens {
		clients[name] = connectSSE(t, server.URL)
		if status := clients[name].subscribe(token, topic); status != 204 {
			t.Fatalf("%s subscribing: status %d", name, status)
		}
	}
	if status := clients["bob"].subscribe(s.Bob.Token, topic, "users/"+s.Bob.ID); status != 204 {
		t.Fatalf("Bob adding his own record topic: status %d", status)
	}

	private := r.post(s.GroupA, s.Alice.Token, message("rt-private", "for the therapist only", s.Therapist.ID))[0].ID
	public := r.post(s.GroupA, s.Bob.Token, message("rt-public", "hello everyone"))[0].ID

	if got := clients["therapist"].nextAction(topic); got.ID != private {
		t.Errorf("therapist first got %+v, want the private message", got)
	}
	if got := clients["therapist"].nextAction(topic); got.ID != public || got.ClientID != "" {
		t.Errorf("therapist then got %+v, want the public message without client_id", got)
	}
	if got := clients["alice"].nextAction(topic); got.ID != private || got.ClientID != "rt-private" {
		t.Errorf("Alice first got %+v, want her private message with client_id", got)
	}
	if got := clients["alice"].nextAction(topic); got.ID != public {
		t.Errorf("Alice then got %+v", got)
	}
	// Bob's first event is the public message: the private one never came.
	if got := clients["bob"].nextAction(topic); got.ID != public || got.ClientID != "rt-public" {
		t.Errorf("Bob first got %+v, want his public message", got)
	}

	// Removal: Bob's delivery ends at once with a control message.
	r.mustCall(200, http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/remove/"+s.Bob.ID, s.Therapist.Token, "")
	if got := clients["bob"].nextAction(topic); got.Type != "ended" || got.Reason != "removed" || got.ID != 0 {
		t.Errorf("Bob got %+v, want ended/removed", got)
	}
	r.post(s.GroupA, s.Alice.Token, message("rt-after", "after the removal"))
	user, _ := r.app.FindRecordById("users", s.Bob.ID)
	user.Set("alias", "Robert")
	if err := r.app.Save(user); err != nil {
		t.Fatal(err)
	}
	if event := clients["bob"].next(); event.name != "users/"+s.Bob.ID {
		t.Errorf("Bob's next event after removal is %q: %s", event.name, event.data)
	}
	if status := clients["bob"].subscribe(s.Bob.Token, topic); status != 403 {
		t.Errorf("Bob resubscribing after removal: status %d, want 403", status)
	}

	removedNotice := clients["alice"].nextAction(topic)
	if removedNotice.Body != "Bob was removed" {
		t.Errorf("Alice got %+v, want the removal notice", removedNotice)
	}
	if got := clients["alice"].nextAction(topic); got.Body != "after the removal" {
		t.Errorf("Alice got %+v", got)
	}

	// Leaving ends Alice's delivery.
	r.mustCall(200, http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/leave", s.Alice.Token, "")
	if got := clients["alice"].nextAction(topic); got.Type != "ended" || got.Reason != "left" {
		t.Errorf("Alice got %+v, want ended/left", got)
	}

	// Logout ends the therapist's delivery and closes the connection.
	signIn, _ := r.app.FindRecordById("sign_in_sessions", s.Therapist.SignInSessionID)
	if err := r.hearth.EndSignInSession(r.app, signIn, "logout"); err != nil {
		t.Fatal(err)
	}
	therapist := clients["therapist"]
	for _, want := range []string{"Bob was removed", "after the removal", "Alice left"} {
		if got := therapist.nextAction(topic); got.Body != want {
			t.Errorf("therapist got %+v, want %q", got, want)
		}
	}
	if got := therapist.nextAction(topic); got.Type != "ended" || got.Reason != "logout" {
		t.Errorf("therapist got %+v, want ended/logout", got)
	}
	if event, open := therapist.nextOrClosed(); open {
		t.Errorf("the therapist's stream is still open: %+v", event)
	}
}

func TestRealtimeCloseEndsEveryone(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	server := httptest.NewServer(r.mux)
	t.Cleanup(server.Close) // runs after the streams' cleanups close them
	topic := "therapy-sessions/" + s.GroupA

	r.enter(s.GroupA, s.Alice.Token)
	r.enter(s.GroupA, s.Therapist.Token)
	alice := connectSSE(t, server.URL)
	if status := alice.subscribe(s.Alice.Token, topic); status != 204 {
		t.Fatalf("status %d", status)
	}

	r.mustCall(200, http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/close", s.Therapist.Token, "")
	if got := alice.nextAction(topic); got.Body != "Therapist closed the session" {
		t.Errorf("Alice got %+v, want the closing notice", got)
	}
	if got := alice.nextAction(topic); got.Type != "ended" || got.Reason != "closed" {
		t.Errorf("Alice got %+v, want ended/closed", got)
	}

	signIns, _ := r.app.FindAllRecords("sign_in_sessions")
	for _, signIn := range signIns {
		if signIn.GetString("therapy_session") != "" {
			t.Errorf("sign-in session %s still inside", signIn.Id)
		}
	}
	rows, _ := r.app.FindAllRecords("attendance")
	for _, row := range rows {
		if row.GetString("left_reason") != "closed" {
			t.Errorf("attendance left_reason %q, want closed", row.GetString("left_reason"))
		}
	}
}

func TestRealtimeStaffEditEndsDelivery(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	server := httptest.NewServer(r.mux)
	t.Cleanup(server.Close)
	topic := "therapy-sessions/" + s.GroupA

	r.enter(s.GroupA, s.Alice.Token)
	r.enter(s.GroupA, s.Bob.Token)
	alice, bob := connectSSE(t, server.URL), connectSSE(t, server.URL)
	alice.subscribe(s.Alice.Token, topic)
	bob.subscribe(s.Bob.Token, topic)

	// Staff take Bob off the session in the admin UI.
	session, _ := r.app.FindRecordById("therapy_sessions", s.GroupA)
	session.Set("participants", []string{s.Alice.ID})
	if err := r.app.Save(session); err != nil {
		t.Fatal(err)
	}
	if got := bob.nextAction(topic); got.Type != "ended" || got.Reason != "removed" {
		t.Errorf("Bob got %+v, want ended/removed", got)
	}
	r.post(s.GroupA, s.Alice.Token, message("after-edit", "still here"))
	if got := alice.nextAction(topic); got.Body != "still here" {
		t.Errorf("Alice got %+v", got)
	}
	if status, _ := r.call("GET", "/api/therapy-sessions/"+s.GroupA+"/actions", s.Bob.Token, ""); status != 403 {
		t.Errorf("Bob reading after the edit: status %d, want 403", status)
	}
}
