package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

const boardText = "board-marker: breathe slowly"

// The live state of a session (whiteboard, who is present, the last action
// id) is for its therapists and for participants inside it. Members outside
// and removed participants get the metadata and the member aliases only.
func TestDetailLiveStateOnlyInside(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	detailURL := "/api/therapy-sessions/" + s.GroupA
	for _, token := range []string{s.Therapist.Token, s.Alice.Token, s.Bob.Token} {
		r.enter(s.GroupA, token)
	}
	r.post(s.GroupA, s.Therapist.Token, item("board", "whiteboard", map[string]any{"body": boardText}))
	r.mustCall(200, http.MethodPost, detailURL+"/remove/"+s.Bob.ID, s.Therapist.Token, "")

	liveState := []string{boardText, `"whiteboard"`, `"present"`, `"max_id"`}
	expectLiveState := func(who, token string) {
		t.Helper()
		detail := r.mustCall(200, http.MethodGet, detailURL, token, "")
		for _, want := range liveState {
			if !strings.Contains(detail, want) {
				t.Errorf("%s: detail lacks %s: %s", who, want, detail)
			}
		}
	}
	expectMetadataOnly := func(who, token string) {
		t.Helper()
		detail := r.mustCall(200, http.MethodGet, detailURL, token, "")
		for _, unwanted := range liveState {
			if strings.Contains(detail, unwanted) {
				t.Errorf("%s: detail contains %s: %s", who, unwanted, detail)
			}
		}
		for _, want := range []string{`"name":"Group A"`, `"status":"open"`, `"alias":"Therapist"`, `"alias":"Alice"`, `"inside":false`} {
			if !strings.Contains(detail, want) {
				t.Errorf("%s: detail lacks %s: %s", who, want, detail)
			}
		}
	}

	expectLiveState("participant inside", s.Alice.Token)
	expectLiveState("therapist inside", s.Therapist.Token)
	expectMetadataOnly("removed participant", s.Bob.Token)

	r.mustCall(200, http.MethodPost, detailURL+"/leave", s.Alice.Token, "")
	expectMetadataOnly("participant outside", s.Alice.Token)
	r.mustCall(200, http.MethodPost, detailURL+"/leave", s.Therapist.Token, "")
	expectLiveState("therapist outside", s.Therapist.Token)
}

// PocketBase's record API shows members the therapy_sessions records, but
// not the whiteboard: it cannot be read, filtered or sorted on. Staff still
// see it.
func TestWhiteboardHiddenFromRecordAPI(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Therapist.Token)
	r.post(s.GroupA, s.Therapist.Token, item("board", "whiteboard", map[string]any{"body": boardText}))

	records := "/api/collections/therapy_sessions/records"
	paths := []string{records, records + "/" + s.GroupA, records + "?fields=id,whiteboard",
		"/api/collections/users/records?expand=" + url.QueryEscape("therapy_sessions_via_participants,therapy_sessions_via_therapists")}
	for _, path := range paths {
		answer := r.mustCall(200, http.MethodGet, path, s.Bob.Token, "")
		if strings.Contains(answer, boardText) || strings.Contains(answer, `"whiteboard"`) {
			t.Errorf("GET %s shows the whiteboard to a member: %s", path, answer)
		}
		if !strings.Contains(answer, s.GroupA) {
			t.Errorf("GET %s does not show Group A at all, so it proves nothing: %s", path, answer)
		}
	}
	for _, query := range []string{"?filter=" + url.QueryEscape(`whiteboard~"breathe"`), "?sort=whiteboard"} {
		if status, answer := r.call(http.MethodGet, records+query, s.Bob.Token, ""); status != 400 {
			t.Errorf("GET %s: status %d, want 400; body %s", query, status, answer)
		}
	}
	if answer := r.mustCall(200, http.MethodGet, records+"/"+s.GroupA, s.StaffToken, ""); !strings.Contains(answer, boardText) {
		t.Errorf("staff do not see the whiteboard: %s", answer)
	}
}

// A member outside the session who subscribes to its record topic still
// gets the record's updates, but without the whiteboard text.
func TestWhiteboardHiddenFromRecordTopic(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	server := httptest.NewServer(r.mux)
	t.Cleanup(server.Close)
	topic := "therapy_sessions/" + s.GroupA

	bob := connectSSE(t, server.URL)
	if status := bob.subscribe(s.Bob.Token, topic); status != 204 {
		t.Fatalf("subscribing to %s: status %d", topic, status)
	}
	r.enter(s.GroupA, s.Therapist.Token)
	r.post(s.GroupA, s.Therapist.Token, item("board", "whiteboard", map[string]any{"body": boardText}))

	event := bob.next()
	if event.name != topic {
		t.Fatalf("event on %q, want %q: %s", event.name, topic, event.data)
	}
	if strings.Contains(event.data, boardText) || strings.Contains(event.data, `"whiteboard"`) {
		t.Errorf("the record topic delivers the whiteboard: %s", event.data)
	}
}
