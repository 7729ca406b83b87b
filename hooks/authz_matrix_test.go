package hooks_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// matrixDoc is the authorization table the matrix test runs, kept as a page
// that staff and reviewers read.
const matrixDoc = "../docs/AUTHZ-MATRIX.md"

// matrixColumns are the caller columns of every table in matrixDoc, in order.
var matrixColumns = []string{"guest", "inside", "outside", "non-member", "removed", "therapist", "other therapist", "staff"}

// matrixSecret is the webhook secret of the matrix apps, which no caller sends.
const matrixSecret = "matrix-webhook-secret"

// matrixRow is one row of the table: a request and the accepted statuses per
// caller column.
type matrixRow struct {
	line         int
	method, path string
	body         string
	want         map[string]string
}

// readMatrix parses every table row of matrixDoc whose first cell is a method.
func readMatrix(t testing.TB) []matrixRow {
	t.Helper()
	file, err := os.Open(matrixDoc)
	if err != nil {
		t.Fatalf("open the authorization table: %v", err)
	}
	defer file.Close()

	var rows []matrixRow
	scanner := bufio.NewScanner(file)
	for line := 1; scanner.Scan(); line++ {
		text := strings.TrimSpace(scanner.Text())
		if !strings.HasPrefix(text, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(text, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if !slices.Contains([]string{"GET", "POST", "PATCH", "DELETE", "SUBSCRIBE"}, cells[0]) {
			continue
		}
		if len(cells) != 3+len(matrixColumns) {
			t.Fatalf("%s:%d has %d cells, want %d", matrixDoc, line, len(cells), 3+len(matrixColumns))
		}
		row := matrixRow{line: line, method: cells[0], path: cells[1], want: map[string]string{}}
		if cells[2] != "-" {
			row.body = strings.Trim(cells[2], "`")
		}
		for i, column := range matrixColumns {
			row.want[column] = cells[3+i]
		}
		rows = append(rows, row)
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s has no rows", matrixDoc)
	}
	return rows
}

// accepts reports whether a cell accepts status with the given body.
func accepts(cell string, status int, body string) bool {
	for _, option := range strings.Split(cell, "/") {
		if option == "none" {
			if status == http.StatusOK && strings.Contains(body, `"totalItems":0`) {
				return true
			}
			continue
		}
		if code, err := strconv.Atoi(option); err == nil && code == status {
			return true
		}
	}
	return false
}

// TestAuthorizationMatrix runs every cell of docs/AUTHZ-MATRIX.md. Each row
// gets a fresh app with every caller in their documented state, and the
// callers send the row's request one after another. Callers whose request
// may succeed and change shared state (the therapist, then staff) go last,
// so that a refused request is all the earlier callers see.
func TestAuthorizationMatrix(t *testing.T) {
	study := hearthtest.Fixture(t)
	rows := readMatrix(t)

	config := hooks.TestConfig()
	config.WebhookSecret = matrixSecret
	factory := func(t testing.TB) *tests.TestApp {
		app, _ := hearthtest.NewAppWithConfig(t, config)
		return app
	}
	order := []string{"guest", "inside", "outside", "non-member", "removed", "other therapist", "therapist", "staff"}

	for _, row := range rows {
		type answer struct {
			status int
			body   string
		}
		answers := map[string]answer{}
		var state *matrixState
		(&tests.ApiScenario{
			Name:           fmt.Sprintf("line %d %s %s", row.line, row.method, row.path),
			TestAppFactory: factory,
			// The scenario's own request only checks that the app still
			// serves. The row's requests are sent from BeforeTestFunc, after
			// the callers' state is built and the placeholders are known.
			Method:          http.MethodGet,
			URL:             "/api/health",
			ExpectedStatus:  200,
			ExpectedContent: []string{"API is healthy"},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				state = prepareMatrixState(t, app, e, study)
				for _, column := range order {
					status, body := state.send(row, column)
					answers[column] = answer{status, body}
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				for _, column := range matrixColumns {
					got := answers[column]
					if !accepts(row.want[column], got.status, got.body) {
						t.Errorf("%s:%d as %s: status %d, want %s; body %s",
							matrixDoc, row.line, column, got.status, row.want[column], truncate(got.body))
					}
					if column == "staff" {
						continue
					}
					for _, secret := range state.secrets {
						if strings.Contains(got.body, secret) {
							t.Errorf("%s:%d as %s: response contains %q: %s",
								matrixDoc, row.line, column, secret, truncate(got.body))
						}
					}
				}
			},
		}).Test(t)
	}
	t.Logf("authorization matrix: %d rows, %d cells", len(rows), len(rows)*len(matrixColumns))
}

func truncate(body string) string {
	if len(body) > 400 {
		return body[:400] + "…"
	}
	return body
}

// matrixState is a test app with every caller in their column's state.
type matrixState struct {
	app          *tests.TestApp
	handler      http.Handler
	tokens       map[string]string
	placeholders map[string]string
	// secrets must appear in no response to anyone but staff.
	secrets []string
}

// prepareMatrixState builds the callers' states through the real routes,
// so the matrix tests the state a person reaches by using the product.
func prepareMatrixState(t testing.TB, app *tests.TestApp, e *core.ServeEvent, study *hearthtest.Study) *matrixState {
	t.Helper()
	handler, err := e.Router.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	s := &matrixState{app: app, handler: handler}

	eve, err := hearthtest.EnrolUser(app, "participant", "Eve", "+16502530007", "Evans")
	if err != nil {
		t.Fatal(err)
	}
	groupA, err := app.FindRecordById("therapy_sessions", study.GroupA)
	if err != nil {
		t.Fatal(err)
	}
	groupA.Set("participants+", eve.Id)
	if err := app.Save(groupA); err != nil {
		t.Fatal(err)
	}

	s.tokens = map[string]string{
		"guest":           "",
		"inside":          study.Alice.Token,
		"outside":         study.Bob.Token,
		"non-member":      study.Carol.Token,
		"removed":         hearthtest.SignIn(t, app, eve.Id),
		"therapist":       study.Therapist.Token,
		"other therapist": study.OtherTherapist.Token,
		"staff":           study.StaffToken,
	}

	assessment := saveMatrixRecord(t, app, "assessments", map[string]any{
		"therapy_session": study.GroupA, "name": "where are you", "kind": "location", "timing": "before",
	})
	// Hooks create a response per participant when an assessment is added.
	response, err := app.FindFirstRecordByFilter("assessment_responses", "assessment = {:assessment} && participant = {:participant}",
		map[string]any{"assessment": assessment.Id, "participant": study.Alice.ID})
	if err != nil {
		t.Fatalf("find Alice's response to the check-in: %v", err)
	}
	smsLog := saveMatrixRecord(t, app, "sms_log", map[string]any{"user": study.Alice.ID, "to": study.Alice.Phone, "status": "sent"})
	otpRequest := saveMatrixRecord(t, app, "otp_requests", map[string]any{"phone": study.Alice.Phone})

	enter := func(token, session string) {
		s.mustCall(t, http.MethodPost, "/api/therapy-sessions/"+session+"/enter", token, "")
	}
	enter(s.tokens["inside"], study.GroupA)
	enter(s.tokens["therapist"], study.GroupA)
	enter(s.tokens["non-member"], study.GroupB)
	enter(s.tokens["other therapist"], study.GroupB)
	enter(s.tokens["removed"], study.GroupA)
	s.mustCall(t, http.MethodPost, "/api/therapy-sessions/"+study.GroupA+"/remove/"+eve.Id, s.tokens["therapist"], "")

	post := func(token, clientID string) int {
		var posted struct {
			Actions []struct {
				ID int `json:"id"`
			} `json:"actions"`
		}
		answer := s.mustCall(t, http.MethodPost, "/api/therapy-sessions/"+study.GroupA+"/actions", token,
			`[{"client_id":"`+clientID+`","client_ts":"2026-01-01T10:00:00Z","type":"post","body":"setup","recipients":[],`+
				`"time_to_complete":2,"character_history":"keystroke-marker"}]`)
		if err := json.Unmarshal([]byte(answer), &posted); err != nil || len(posted.Actions) != 1 {
			t.Fatalf("decode the setup post: %v: %s", err, answer)
		}
		return posted.Actions[0].ID
	}
	aliceSeq := post(s.tokens["inside"], "setup-alice")
	// Bob posts once and leaves, so that he is outside with a message in A.
	enter(s.tokens["outside"], study.GroupA)
	bobSeq := post(s.tokens["outside"], "setup-bob")
	s.mustCall(t, http.MethodPost, "/api/therapy-sessions/"+study.GroupA+"/leave", s.tokens["outside"], "")

	action, err := app.FindFirstRecordByFilter("actions", "therapy_session = {:session} && seq = {:seq}",
		map[string]any{"session": study.GroupA, "seq": aliceSeq})
	if err != nil {
		t.Fatalf("find the setup post: %v", err)
	}
	attendance, err := app.FindFirstRecordByFilter("attendance", "therapy_session = {:session} && user = {:user}",
		map[string]any{"session": study.GroupA, "user": study.Alice.ID})
	if err != nil {
		t.Fatalf("find Alice's attendance: %v", err)
	}

	s.placeholders = map[string]string{
		"{session}":      study.GroupA,
		"{otherSession}": study.GroupB,
		"{bob}":          study.Bob.ID,
		"{dave}":         study.Dave.ID,
		"{eve}":          eve.Id,
		"{assessment}":   assessment.Id,
		"{response}":     response.Id,
		"{action}":       action.Id,
		"{actionSeq}":    strconv.Itoa(aliceSeq),
		"{bobActionSeq}": strconv.Itoa(bobSeq),
		"{signIn}":       study.Alice.SignInSessionID,
		"{attendance}":   attendance.Id,
		"{smsLog}":       smsLog.Id,
		"{otpRequest}":   otpRequest.Id,
	}
	s.secrets = []string{"+1650253", `"phone"`, `"last_name"`, "Anders", "Brown", "Chen", "Diaz", "Evans",
		"keystroke-marker", `"character_history"`, `"time_to_complete"`, `"original_body"`}
	return s
}

func saveMatrixRecord(t testing.TB, app core.App, collectionName string, fields map[string]any) *core.Record {
	t.Helper()
	collection, err := app.FindCollectionByNameOrId(collectionName)
	if err != nil {
		t.Fatal(err)
	}
	record := core.NewRecord(collection)
	record.Load(fields)
	if err := app.Save(record); err != nil {
		t.Fatalf("save %s: %v", collectionName, err)
	}
	return record
}

// call sends one request through the app's router and returns the
// response's status and body.
func (s *matrixState) call(method, path, token, body string) (int, string) {
	return s.callFrom("192.0.2.1:4000", method, path, token, body)
}

func (s *matrixState) callFrom(address, method, path, token, body string) (int, string) {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, reader)
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = address
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	recorder := httptest.NewRecorder()
	s.handler.ServeHTTP(recorder, req)
	return recorder.Code, recorder.Body.String()
}

func (s *matrixState) mustCall(t testing.TB, method, path, token, body string) string {
	t.Helper()
	status, answer := s.call(method, path, token, body)
	if status >= 300 {
		t.Fatalf("setup %s %s: status %d: %s", method, path, status, answer)
	}
	return answer
}

func (s *matrixState) fill(text string) string {
	for placeholder, value := range s.placeholders {
		text = strings.ReplaceAll(text, placeholder, value)
	}
	return text
}

// send makes the row's request as column and returns the status and body.
// Each column calls from its own client address, so per-address limits
// count the eight callers separately, as eight people on eight phones.
func (s *matrixState) send(row matrixRow, column string) (int, string) {
	token := s.tokens[column]
	address := fmt.Sprintf("192.0.2.%d:4000", 10+slices.Index(matrixColumns, column))
	body := strings.ReplaceAll(s.fill(row.body), "{phone}", fmt.Sprintf("+1650253%04d", 9000+slices.Index(matrixColumns, column)))
	if row.method != "SUBSCRIBE" {
		return s.callFrom(address, row.method, s.fill(row.path), token, body)
	}

	// A freshly connected realtime client carries no auth until its first
	// subscription request, as after PocketBase's SSE connect.
	client := newRealtimeClient(s.app)
	subscription, _ := json.Marshal(map[string]any{"clientId": client, "subscriptions": []string{s.fill(row.path)}})
	return s.callFrom(address, http.MethodPost, "/api/realtime", token, string(subscription))
}

// newRealtimeClient registers a realtime client as PocketBase's SSE connect
// does, with no auth yet, and returns its id.
func newRealtimeClient(app core.App) string {
	client := subscriptions.NewDefaultClient()
	app.SubscriptionsBroker().Register(client)
	return client.Id()
}
