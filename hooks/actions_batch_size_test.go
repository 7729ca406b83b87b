package hooks_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

// A batch near the item limits, 100 messages each with a body of 4,000
// four-byte code points and a 64 KiB keystroke history, is saved whole.
func TestLargestValidBatchIsSaved(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)

	body := strings.Repeat("😀", 4000)
	history := strings.Repeat("x", 64*1024)
	items := make([]map[string]any, 100)
	for i := range items {
		items[i] = map[string]any{"client_id": fmt.Sprintf("big-%03d", i), "type": "post", "body": body,
			"recipients": []string{}, "time_to_complete": 1, "character_history": history}
	}
	batch, _ := json.Marshal(items)
	if size := len(batch); size < 8_000_000 || size > 9_000_000 {
		t.Fatalf("the batch is %d bytes, want about 8.2 MB", size)
	}

	answer := r.mustCall(200, http.MethodPost, actionsPath(s.GroupA), s.Alice.Token, string(batch))
	if got := len(decodeActions(t, answer).Actions); got != 100 {
		t.Errorf("the answer lists %d actions, want 100", got)
	}
	if saved, _ := r.app.CountRecords("actions", dbx.HashExp{"therapy_session": s.GroupA, "type": "message"}); saved != 100 {
		t.Errorf("%d messages saved, want 100", saved)
	}
}

// PocketBase's request body limit of 32 MiB applies to the actions route, also
// when the body's length is not announced in advance. Unknown fields count
// towards it. The response is 413 and nothing is saved.
func TestBatchOverBodyLimitGets413(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)

	padding := strings.Repeat("p", 32<<20)
	batch := `[{"client_id":"huge","type":"post","body":"hi","padding":"` + padding + `"}]`

	for _, announced := range []bool{true, false} {
		request := httptest.NewRequest(http.MethodPost, actionsPath(s.GroupA), strings.NewReader(batch))
		request.Header.Set("Content-Type", "application/json")
		request.Header.Set("Authorization", s.Alice.Token)
		if !announced {
			// As a chunked upload: the server learns the size only by reading.
			request.ContentLength = -1
			request.Body = io.NopCloser(strings.NewReader(batch))
		}
		recorder := httptest.NewRecorder()
		r.mux.ServeHTTP(recorder, request)

		if recorder.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("length announced %v: status %d, want 413; body %s", announced, recorder.Code, recorder.Body.String())
		}
	}
	if saved, _ := r.app.CountRecords("actions", dbx.HashExp{"client_id": "huge"}); saved != 0 {
		t.Errorf("%d actions saved from the oversized batches, want 0", saved)
	}
}
