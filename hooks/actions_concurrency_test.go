package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

func TestConcurrentPostsGetGaplessIDs(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	tokens := []string{s.Therapist.Token, s.Alice.Token, s.Bob.Token}
	for _, token := range tokens {
		r.enter(s.GroupA, token)
	}
	const perUser = 15

	var wg sync.WaitGroup
	failures := make(chan string, len(tokens)*perUser)
	for u, token := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perUser {
				body, _ := json.Marshal([]any{message(fmt.Sprintf("u%d-%d", u, i), fmt.Sprintf("user %d message %d", u, i))})
				if status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", token, string(body)); status != 200 {
					failures <- fmt.Sprintf("status %d: %s", status, answer)
				}
			}
		}()
	}
	wg.Wait()
	close(failures)
	for failure := range failures {
		t.Error(failure)
	}

	views := make([][]testAction, len(tokens))
	for i, token := range tokens {
		views[i] = r.list(s.GroupA, token).Actions
	}
	want := len(tokens) + len(tokens)*perUser // joined notices and messages
	for i, view := range views {
		if len(view) != want {
			t.Fatalf("reader %d sees %d actions, want %d", i, len(view), want)
		}
		for j, action := range view {
			if action.ID != j+1 {
				t.Fatalf("reader %d: action %d has id %d, want %d", i, j, action.ID, j+1)
			}
			if action.Body != views[0][j].Body {
				t.Errorf("reader %d: id %d is %q, reader 0 has %q", i, action.ID, action.Body, views[0][j].Body)
			}
		}
	}
	// Each user's own messages keep the order they were sent in.
	for u := range tokens {
		next := 0
		for _, action := range views[0] {
			if action.Body == fmt.Sprintf("user %d message %d", u, next) {
				next++
			}
		}
		if next != perUser {
			t.Errorf("user %d: only %d of %d messages in sending order", u, next, perUser)
		}
	}
}

func TestDoubleClickSavesOnce(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	body, _ := json.Marshal([]any{message("click-1", "sent twice at once")})

	const clicks = 6
	ids := make(chan int, clicks)
	var wg sync.WaitGroup
	for range clicks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Alice.Token, string(body))
			if status != 200 {
				t.Errorf("status %d: %s", status, answer)
				return
			}
			ids <- decodeActions(t, answer).Actions[0].ID
		}()
	}
	wg.Wait()
	close(ids)
	for id := range ids {
		if id != 2 {
			t.Errorf("a click got id %d, want 2", id)
		}
	}
	if count, _ := r.app.CountRecords("actions"); count != 2 {
		t.Errorf("actions: %d, want 2 (joined notice and one message)", count)
	}
}
