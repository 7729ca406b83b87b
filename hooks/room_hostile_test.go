package hooks_test

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// withMatrixState runs fn against a fresh app whose callers are in the states
// of the authorization matrix (see docs/AUTHZ-MATRIX.md).
func withMatrixState(t *testing.T, name string, fn func(t testing.TB, state *matrixState, study *hearthtest.Study)) {
	t.Helper()
	study := hearthtest.Fixture(t)
	(&tests.ApiScenario{
		Name:            name,
		Method:          http.MethodGet,
		URL:             "/api/health",
		ExpectedStatus:  200,
		ExpectedContent: []string{"API is healthy"},
		TestAppFactory:  hearthtest.NewApp,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			fn(t, prepareMatrixState(t, app, e, study), study)
		},
	}).Test(t)
}

func actionsPath(session string) string {
	return "/api/therapy-sessions/" + session + "/actions"
}

// TestOversizedBatchIsCheap posts a batch of 200,000 empty items, a 600 KB
// body. Refusing it must cost about as much as refusing 101 items, or a
// single member could exhaust the server's memory with a body well under
// PocketBase's 32 MB request limit.
func TestOversizedBatchIsCheap(t *testing.T) {
	withMatrixState(t, "oversized batch", func(t testing.TB, state *matrixState, study *hearthtest.Study) {
		body := "[" + strings.TrimSuffix(strings.Repeat("{},", 200_000), ",") + "]"

		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		status, answer := state.call(http.MethodPost, actionsPath(study.GroupA), study.Alice.Token, body)
		runtime.ReadMemStats(&after)

		if status != http.StatusBadRequest || !strings.Contains(answer, "at most 100") {
			t.Errorf("status %d, want 400 naming the limit of 100: %s", status, truncate(answer))
		}
		// Allocation, unlike time, does not depend on how busy the machine is.
		const budget = 32 << 20
		if allocated := after.TotalAlloc - before.TotalAlloc; allocated > budget {
			t.Errorf("refusing the batch allocated %d MB, want under %d MB", allocated>>20, budget>>20)
		}
	})
}

// TestMalformedBatches sends bodies that are not a batch at all. Each must
// get a 400 and save nothing.
func TestMalformedBatches(t *testing.T) {
	bodies := map[string]string{
		"deeply nested arrays":   strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000),
		"deeply nested object":   "[" + strings.Repeat(`{"a":`, 50_000) + "1" + strings.Repeat("}", 50_000) + "]",
		"items that are scalars": `[1, "post", null, true]`,
		"null":                   `null`,
		"truncated":              `[{"client_id":"a","type":"post","body":"hi"`,
		"trailing garbage":       `[{"client_id":"a","type":"post","body":"hi"}] [1]`,
		"huge number":            `[{"client_id":"a","type":"post","body":"hi","time_to_complete":1e400}]`,
		"nested body":            `[{"client_id":"a","type":"post","body":{"text":"hi"}}]`,
		"recipients not strings": `[{"client_id":"a","type":"post","body":"hi","recipients":[1,{"id":"x"}]}]`,
		"client_id too long":     `[{"client_id":"` + strings.Repeat("c", 101) + `","type":"post","body":"hi"}]`,
		"too many recipients":    `[{"client_id":"a","type":"post","body":"hi","recipients":[` + strings.TrimSuffix(strings.Repeat(`"x",`, 101), ",") + `]}]`,
		"negative target":        `[{"client_id":"a","type":"message_read","target":-1}]`,
		"fractional target":      `[{"client_id":"a","type":"message_read","target":1.5}]`,
		"zero target":            `[{"client_id":"a","type":"message_read","target":0}]`,
	}
	withMatrixState(t, "malformed batches", func(t testing.TB, state *matrixState, study *hearthtest.Study) {
		before, _ := state.app.CountRecords("actions")
		for name, body := range bodies {
			status, answer := state.call(http.MethodPost, actionsPath(study.GroupA), study.Alice.Token, body)
			if status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400: %s", name, status, truncate(answer))
			}
		}
		if after, _ := state.app.CountRecords("actions"); after != before {
			t.Errorf("malformed batches saved %d actions", after-before)
		}
		t.Logf("malformed batches: %d cases", len(bodies))
	})
}

// hostileTexts are stored as text by every route that takes text. The web
// client must show them as text too.
var hostileTexts = []string{
	`<script>alert("x")</script>`,
	`<img src=x onerror=alert(1)>`,
	`"><svg/onload=alert(1)>`,
	`javascript:alert(1)`,
	`{{constructor.constructor('alert(1)')()}}`,
	"${alert(1)}",
	"line one\r\nline two",
	"right-to-left \u202eoverride",
	"zero\u200bwidth\u200djoiner",
	"bell \u0007 and escape \u001b[31m",
	"emoji 👩‍👩‍👧 and combining e\u0301",
	"%00 %3Cscript%3E &lt;b&gt;",
}

// TestHostileTextRoundTrips posts each hostile text as a message, a notice,
// the whiteboard and a check-in answer, and reads it back. The server may
// refuse a text with a 400, but what it saves must come back unchanged.
func TestHostileTextRoundTrips(t *testing.T) {
	withMatrixState(t, "hostile text", func(t testing.TB, state *matrixState, study *hearthtest.Study) {
		cases := 0
		for i, text := range hostileTexts {
			for _, kind := range []struct{ itemType, token string }{
				{"post", study.Alice.Token}, {"notice", study.Therapist.Token}, {"whiteboard", study.Therapist.Token},
			} {
				cases++
				clientID := kind.itemType + "-" + string(rune('a'+i))
				item := map[string]any{"client_id": clientID, "type": kind.itemType, "body": text,
					"client_ts": "2026-01-01T10:00:00Z", "character_history": strings.ReplaceAll(text, "<", "<<")}
				raw, _ := json.Marshal([]any{item})
				status, answer := state.call(http.MethodPost, actionsPath(study.GroupA), kind.token, string(raw))
				if status == http.StatusBadRequest {
					continue
				}
				if status != http.StatusOK {
					t.Errorf("%s %q: status %d, want 200 or 400: %s", kind.itemType, text, status, truncate(answer))
					continue
				}
				var saved struct {
					Actions []struct {
						Body string `json:"body"`
					} `json:"actions"`
				}
				if err := json.Unmarshal([]byte(answer), &saved); err != nil || len(saved.Actions) != 1 {
					t.Errorf("%s %q: cannot read the saved action: %v: %s", kind.itemType, text, err, truncate(answer))
					continue
				}
				if saved.Actions[0].Body != text {
					t.Errorf("%s: saved body %q, sent %q", kind.itemType, saved.Actions[0].Body, text)
				}
				if strings.Contains(answer, "<script") || strings.Contains(answer, "<img") {
					t.Errorf("%s: the JSON answer carries raw markup: %s", kind.itemType, truncate(answer))
				}
			}

			cases++
			raw, _ := json.Marshal(map[string]string{"answer": text})
			path := "/api/therapy-sessions/" + study.GroupA + "/assessments/" + state.placeholders["{assessment}"] + "/check-in"
			status, answer := state.call(http.MethodPost, path, study.Alice.Token, string(raw))
			if status == http.StatusBadRequest {
				continue
			}
			var checkIn struct {
				Answer string `json:"answer"`
			}
			if status != http.StatusOK || json.Unmarshal([]byte(answer), &checkIn) != nil || checkIn.Answer != text {
				t.Errorf("check-in %q: status %d, answer %s", text, status, truncate(answer))
			}
		}
		t.Logf("hostile texts: %d cases", cases)
	})
}

// TestForeignIDs puts ids from another session, or of people the caller
// may not address, into every id a member sends.
func TestForeignIDs(t *testing.T) {
	withMatrixState(t, "foreign ids", func(t testing.TB, state *matrixState, study *hearthtest.Study) {
		assessmentB := saveMatrixRecord(t, state.app, "assessments", map[string]any{
			"therapy_session": study.GroupB, "name": "b check-in", "kind": "location", "timing": "before",
		})
		a, b := study.GroupA, study.GroupB
		post := func(fields string) string {
			return `[{"client_id":"foreign","client_ts":"2026-01-01T10:00:00Z",` + fields + `}]`
		}
		cases := []struct {
			name, method, path, token, body string
			allowed                         []int
		}{
			{"recipient from another session", http.MethodPost, actionsPath(a), study.Alice.Token,
				post(`"type":"post","body":"hi","recipients":["` + study.Carol.ID + `"]`), []int{400}},
			{"recipient who is another session's therapist", http.MethodPost, actionsPath(a), study.Alice.Token,
				post(`"type":"post","body":"hi","recipients":["` + study.OtherTherapist.ID + `"]`), []int{400}},
			{"recipient enrolled nowhere", http.MethodPost, actionsPath(a), study.Alice.Token,
				post(`"type":"post","body":"hi","recipients":["` + study.Dave.ID + `"]`), []int{400}},
			{"target past the end of the log", http.MethodPost, actionsPath(a), study.Alice.Token,
				post(`"type":"reaction","icon":"heart","target":100000`), []int{400}},
			{"read another session", http.MethodGet, actionsPath(b) + "?after=0", study.Alice.Token, "", []int{403, 404}},
			{"post into another session", http.MethodPost, actionsPath(b), study.Alice.Token,
				post(`"type":"post","body":"hi"`), []int{403, 404}},
			{"enter another session", http.MethodPost, "/api/therapy-sessions/" + b + "/enter", study.Alice.Token, "", []int{403, 404}},
			{"details of another session", http.MethodGet, "/api/therapy-sessions/" + b, study.Alice.Token, "", []int{403, 404}},
			{"check-in to another session's assessment", http.MethodPost,
				"/api/therapy-sessions/" + a + "/assessments/" + assessmentB.Id + "/check-in", study.Alice.Token,
				`{"answer":"home"}`, []int{400, 403, 404}},
			{"assessments of another session's participant", http.MethodGet,
				"/api/therapy-sessions/" + a + "/assessments?participant=" + study.Carol.ID, study.Therapist.Token, "", []int{400, 403, 404}},
			{"remove another session's participant", http.MethodPost,
				"/api/therapy-sessions/" + a + "/remove/" + study.Carol.ID, study.Therapist.Token, "", []int{400, 403, 404}},
			{"remove a therapist", http.MethodPost,
				"/api/therapy-sessions/" + a + "/remove/" + study.Therapist.ID, study.Therapist.Token, "", []int{400, 403, 404}},
			{"readmit someone of another session", http.MethodPost,
				"/api/therapy-sessions/" + a + "/readmit/" + study.Carol.ID, study.Therapist.Token, "", []int{400, 403, 404}},
			{"unknown session", http.MethodGet, actionsPath("nosuchsession00") + "?after=0", study.Alice.Token, "", []int{403, 404}},
			{"session id with a path trick", http.MethodGet, "/api/therapy-sessions/..%2F" + b + "/actions", study.Alice.Token, "", []int{403, 404}},
		}
		before, _ := state.app.CountRecords("actions")
		for _, c := range cases {
			status, answer := state.call(c.method, c.path, c.token, c.body)
			if !containsInt(c.allowed, status) {
				t.Errorf("%s: status %d, want one of %v: %s", c.name, status, c.allowed, truncate(answer))
			}
			for _, secret := range []string{study.Carol.Phone, "Chen", `"alias":"Carol"`} {
				if strings.Contains(answer, secret) {
					t.Errorf("%s: answer contains %q", c.name, secret)
				}
			}
		}
		if after, _ := state.app.CountRecords("actions"); after != before {
			t.Errorf("requests with foreign ids saved %d actions", after-before)
		}
		t.Logf("foreign ids: %d cases", len(cases))
	})
}

func containsInt(values []int, value int) bool {
	for _, v := range values {
		if v == value {
			return true
		}
	}
	return false
}

// TestHiddenMessageIsNoOracle checks that a private message cannot be found
// by pointing at its id: reacting to, deleting or reading up to a message the
// caller may not see must get the same response as an id that does not exist.
func TestHiddenMessageIsNoOracle(t *testing.T) {
	withMatrixState(t, "hidden message oracle", func(t testing.TB, state *matrixState, study *hearthtest.Study) {
		private := `[{"client_id":"private","client_ts":"2026-01-01T10:00:00Z","type":"post","body":"for the therapist only",` +
			`"recipients":["` + study.Therapist.ID + `"]}]`
		status, answer := state.call(http.MethodPost, actionsPath(study.GroupA), study.Alice.Token, private)
		if status != http.StatusOK {
			t.Fatalf("post the private message: status %d: %s", status, answer)
		}
		var saved struct {
			Actions []struct {
				ID int `json:"id"`
			} `json:"actions"`
		}
		if err := json.Unmarshal([]byte(answer), &saved); err != nil || len(saved.Actions) != 1 {
			t.Fatalf("decode the private message: %v: %s", err, answer)
		}
		hidden := saved.Actions[0].ID
		missing := hidden + 1000

		// Carol is in B, so Bob takes her part here and enters A to try.
		state.mustCall(t, http.MethodPost, "/api/therapy-sessions/"+study.GroupA+"/enter", study.Bob.Token, "")
		for _, itemType := range []string{"reaction", "delete"} {
			answers := map[int]string{}
			for _, target := range []int{hidden, missing} {
				raw, _ := json.Marshal([]any{map[string]any{"client_id": "probe", "type": itemType, "icon": "heart",
					"target": target, "client_ts": "2026-01-01T10:00:00Z"}})
				status, answer := state.call(http.MethodPost, actionsPath(study.GroupA), study.Bob.Token, string(raw))
				answers[target] = strings.ReplaceAll(answer, `"target":`+strconv.Itoa(target), `"target":N`)
				if status != http.StatusBadRequest {
					t.Errorf("%s of target %d: status %d, want 400: %s", itemType, target, status, truncate(answer))
				}
			}
			if answers[hidden] != answers[missing] {
				t.Errorf("%s tells a hidden message from a missing one:\nhidden:  %s\nmissing: %s",
					itemType, answers[hidden], answers[missing])
			}
		}

		// The list must not show a gap where the hidden message is either,
		// beyond what ids already imply.
		status, answer = state.call(http.MethodGet, actionsPath(study.GroupA)+"?after=0", study.Bob.Token, "")
		if status != http.StatusOK || strings.Contains(answer, "for the therapist only") {
			t.Errorf("Bob's list: status %d, contains the private body: %v", status, strings.Contains(answer, "for the therapist only"))
		}
	})
}

// TestClientIDReuseAcrossSessions has a therapist of two sessions use one
// client_id in both. The retry rule (same client_id, same action) must not
// return an action of one session in the response of the other.
func TestClientIDReuseAcrossSessions(t *testing.T) {
	withMatrixState(t, "client id across sessions", func(t testing.TB, state *matrixState, study *hearthtest.Study) {
		groupB, err := state.app.FindRecordById("therapy_sessions", study.GroupB)
		if err != nil {
			t.Fatal(err)
		}
		groupB.Set("therapists+", study.Therapist.ID)
		if err := state.app.Save(groupB); err != nil {
			t.Fatal(err)
		}

		item := func(body string) string {
			return `[{"client_id":"same-id","client_ts":"2026-01-01T10:00:00Z","type":"post","body":"` + body + `"}]`
		}
		status, answer := state.call(http.MethodPost, actionsPath(study.GroupA), study.Therapist.Token, item("said in A"))
		if status != http.StatusOK {
			t.Fatalf("post in A: status %d: %s", status, answer)
		}
		state.mustCall(t, http.MethodPost, "/api/therapy-sessions/"+study.GroupB+"/enter", study.Therapist.Token, "")
		status, answer = state.call(http.MethodPost, actionsPath(study.GroupB), study.Therapist.Token, item("said in B"))
		if strings.Contains(answer, "said in A") {
			t.Errorf("the answer in B contains the message from A: %s", truncate(answer))
		}
		if status >= 500 {
			t.Errorf("post in B with a reused client_id: status %d: %s", status, truncate(answer))
		}
		status, answer = state.call(http.MethodGet, actionsPath(study.GroupB)+"?after=0", study.Therapist.Token, "")
		if status != http.StatusOK || strings.Contains(answer, "said in A") {
			t.Errorf("B's log: status %d, contains A's message: %v", status, strings.Contains(answer, "said in A"))
		}
	})
}
