package hooks_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/tests"
)

// staffOnly are field names and values no member may ever receive.
var staffOnly = []string{"character_history", "time_to_complete", "original_body", "visible_to",
	"history_replays", "typing_recorded", "phone", "last_name", "+1650253", "Anders", "Brown", "Lee"}

func TestPrivateMessagesReachOnlyTheirAudience(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	for _, token := range []string{s.Therapist.Token, s.Alice.Token, s.Bob.Token} {
		r.enter(s.GroupA, token)
	}

	private := r.post(s.GroupA, s.Alice.Token, message("p1", "only for the therapist", s.Therapist.ID))[0].ID
	r.post(s.GroupA, s.Therapist.Token,
		item("t-react", "reaction", map[string]any{"target": private, "icon": "hug"}),
		item("t-read", "message_read", map[string]any{"target": private}))
	r.post(s.GroupA, s.Alice.Token, item("a-delete", "delete", map[string]any{"target": private}))
	public := r.post(s.GroupA, s.Bob.Token, message("b1", "hello all"))[0].ID

	seen := func(token string) map[int]testAction {
		result := map[int]testAction{}
		for _, action := range r.list(s.GroupA, token).Actions {
			result[action.ID] = action
		}
		return result
	}
	therapist, alice, bob := seen(s.Therapist.Token), seen(s.Alice.Token), seen(s.Bob.Token)
	for id := private; id <= private+3; id++ {
		if _, ok := therapist[id]; !ok {
			t.Errorf("therapist misses action %d", id)
		}
		if _, ok := alice[id]; !ok {
			t.Errorf("Alice (author) misses action %d", id)
		}
		if _, ok := bob[id]; ok {
			t.Errorf("Bob sees action %d about a private message", id)
		}
	}
	if _, ok := bob[public]; !ok {
		t.Error("Bob misses the public message")
	}

	// Bob cannot learn of it by reacting or marking it read either.
	for _, itemType := range []string{"reaction", "message_read", "delete"} {
		body, _ := json.Marshal([]any{item("probe-"+itemType, itemType, map[string]any{"target": private, "icon": "heart"})})
		status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Bob.Token, string(body))
		if status != 400 || !strings.Contains(answer, "validation_unknown_target") {
			t.Errorf("%s on a hidden message: status %d, answer %s", itemType, status, answer)
		}
	}

	for _, token := range []string{s.Therapist.Token, s.Alice.Token, s.Bob.Token} {
		answer := r.mustCall(200, http.MethodGet, "/api/therapy-sessions/"+s.GroupA+"/actions", token, "")
		for _, secret := range staffOnly {
			if strings.Contains(answer, secret) {
				t.Errorf("an action list contains %q: %s", secret, answer)
			}
		}
	}
	// Only the author's own view has client_id.
	if bob[public].ClientID != "b1" || therapist[public].ClientID != "" || alice[public].ClientID != "" {
		t.Errorf("client_id shown to the wrong viewers: %+v %+v %+v", bob[public], therapist[public], alice[public])
	}
}

func TestPostAnswerHidesStaffFields(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	body, _ := json.Marshal([]any{map[string]any{
		"client_id": "k1", "type": "post", "body": "Message 1", "recipients": []string{},
		"time_to_complete": 55, "character_history": "FU<BS><BS>Message 1",
	}, map[string]any{
		"client_id": "k2", "type": "post", "body": "typed differently", "character_history": "abc",
	}})
	answer := r.mustCall(200, http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Alice.Token, string(body))
	for _, secret := range staffOnly {
		if strings.Contains(answer, secret) || strings.Contains(answer, "FU<BS>") {
			t.Errorf("the answer contains %q: %s", secret, answer)
		}
	}

	first, _ := r.app.FindFirstRecordByData("actions", "client_id", "k1")
	if !first.GetBool("history_replays") || first.GetFloat("time_to_complete") != 55 {
		t.Errorf("k1: history_replays %v, time_to_complete %v", first.GetBool("history_replays"), first.GetFloat("time_to_complete"))
	}
	second, _ := r.app.FindFirstRecordByData("actions", "client_id", "k2")
	if second.GetBool("history_replays") {
		t.Error("k2: a history that rebuilds another text counted as replaying")
	}
}

// TestCollectionAPIRevealsNothing checks that PocketBase's own record routes,
// with any filter or expand, give a participant nothing the room routes hide.
func TestCollectionAPIRevealsNothing(t *testing.T) {
	s := hearthtest.Fixture(t)
	query := func(collection string, params url.Values) string {
		return "/api/collections/" + collection + "/records?" + params.Encode()
	}
	values := func(pairs ...string) url.Values {
		result := url.Values{}
		for i := 0; i+1 < len(pairs); i += 2 {
			result.Set(pairs[i], pairs[i+1])
		}
		return result
	}

	forbidden := []string{"phone", "last_name", "+1650253", "Anders", "Brown", "Lee\"", "removed_participants"}
	type probe struct {
		name   string
		url    string
		status int
		// empty requires an empty list when the status is 200.
		empty bool
	}
	probes := []probe{
		{"actions list", query("actions", nil), 403, false},
		{"actions with filter", query("actions", values("filter", "type='message'")), 403, false},
		{"actions with expand", query("actions", values("expand", "user,recipients")), 403, false},
		{"actions view", "/api/collections/actions/records/anything", 403, false},
		{"sessions expanded members", query("therapy_sessions", values("expand", "participants,therapists")), 200, false},
		{"sessions filtered by a phone", query("therapy_sessions", values("filter", "participants.phone ~ '+1650'")), 400, false},
		{"sessions filtered by a last name", query("therapy_sessions", values("filter", "therapists.last_name = 'Lee'")), 400, false},
		{"sessions filtered by removed", query("therapy_sessions", values("filter", "removed_participants:length > 0")), 400, false},
		{"users by phone", query("users", values("filter", "phone ~ '+1650'")), 400, false},
		{"users through a back relation", query("users", values("filter", "@collection.users.last_name = 'Brown'")), 403, false},
		{"attendance", query("attendance", values("expand", "user")), 403, false},
		{"sign-in sessions", query("sign_in_sessions", nil), 403, false},
		{"assessment responses expanded", query("assessment_responses", values("expand", "participant")), 200, true},
	}
	for _, p := range probes {
		scenario := tests.ApiScenario{
			Name:           p.name,
			Method:         http.MethodGet,
			URL:            p.url,
			Headers:        s.Alice.Header(),
			TestAppFactory: hearthtest.NewApp,
			ExpectedStatus: p.status,
			// Every response has a body. Listing one keeps ApiScenario
			// from requiring an empty one.
			ExpectedContent:    []string{"{"},
			NotExpectedContent: forbidden,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if !p.empty {
					return
				}
				var list struct {
					TotalItems int `json:"totalItems"`
				}
				json.NewDecoder(res.Body).Decode(&list)
				if list.TotalItems != 0 {
					t.Errorf("%s: %d items, want none", p.name, list.TotalItems)
				}
			},
		}
		scenario.Test(t)
	}
}
