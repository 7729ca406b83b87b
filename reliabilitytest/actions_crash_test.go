package reliabilitytest

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// action is the part of an action's JSON the crash test reads.
type action struct {
	ID       int    `json:"id"`
	Type     string `json:"type"`
	Body     string `json:"body"`
	ClientID string `json:"client_id"`
	User     string `json:"user"`
}

type actionsAnswer struct {
	Result  string   `json:"result"`
	MaxID   int      `json:"max_id"`
	Actions []action `json:"actions"`
}

// poster is one participant posting batches until the server dies.
type poster struct {
	person person
	// acknowledged maps each client_id the server saved with status 200 to
	// the action id and body of its response.
	acknowledged map[string]action
	// lastSeen is the highest max_id of any response, where the client would
	// resume reading after a reconnect.
	lastSeen int
	// unanswered is the batch in flight when the server died, if any: the
	// client does not know whether it was saved and sends it again.
	unanswered []map[string]any
}

// TestActionsSurviveKill has several participants post concurrently, kills
// the server with SIGKILL mid-stream, restarts it on the same data folder,
// and checks that every action the server reported as saved is there, that
// ids are still 1..N without gaps, that retrying the unanswered batches
// creates no duplicates, and that every client catches up with after=N.
func TestActionsSurviveKill(t *testing.T) {
	const participants = 4
	// killAfter is how many acknowledged actions the server has to have
	// answered before it is killed, so that the kill lands mid-stream.
	const killAfter = 60

	study := seedStudy(t, participants)
	first := startServer(t, study.dataDir)
	ctx := context.Background()
	path := "/api/therapy-sessions/" + study.session

	for _, p := range append([]person{study.therapist}, study.participants...) {
		if _, err := first.do(ctx, http.MethodPost, path+"/enter", p.token, nil, nil); err != nil {
			t.Fatalf("%s enters: %v", p.alias, err)
		}
	}

	var acknowledged atomic.Int64
	reachedKillPoint := make(chan struct{})
	var reachedOnce sync.Once
	posters := make([]*poster, participants)
	var wg sync.WaitGroup
	for i, p := range study.participants {
		posters[i] = &poster{person: p, acknowledged: map[string]action{}}
		wg.Add(1)
		go func(pr *poster) {
			defer wg.Done()
			// At most 500 batches each: the server is killed long before.
			for batch := 0; batch < 500; batch++ {
				items := batchItems(pr.person.alias, batch)
				var answer actionsAnswer
				status, err := first.do(ctx, http.MethodPost, path+"/actions", pr.person.token, items, &answer)
				if err != nil || status != http.StatusOK {
					// No response, or none to trust: the outcome is unknown.
					pr.unanswered = items
					return
				}
				for _, a := range answer.Actions {
					pr.acknowledged[a.ClientID] = a
				}
				pr.lastSeen = max(pr.lastSeen, answer.MaxID)
				if acknowledged.Add(int64(len(answer.Actions))) >= killAfter {
					reachedOnce.Do(func() { close(reachedKillPoint) })
				}
			}
		}(posters[i])
	}

	select {
	case <-reachedKillPoint:
	case <-time.After(20 * time.Second):
		t.Fatalf("only %d actions were acknowledged in 20 s", acknowledged.Load())
	}
	first.kill()
	wg.Wait()
	t.Logf("killed after %d acknowledged actions", acknowledged.Load())

	second := startServer(t, study.dataDir)

	// Clients whose batch got no answer send it again, as the web client does.
	retried := 0
	for _, pr := range posters {
		if pr.unanswered == nil {
			continue
		}
		retried++
		var answer actionsAnswer
		status, err := mustReach(t, second, pr.person, path, func() (int, error) {
			return second.do(ctx, http.MethodPost, path+"/actions", pr.person.token, pr.unanswered, &answer)
		})
		if err != nil || status != http.StatusOK {
			t.Fatalf("%s retries its unanswered batch: status %d, %v", pr.person.alias, status, err)
		}
		for _, a := range answer.Actions {
			pr.acknowledged[a.ClientID] = a
		}
	}

	t.Logf("%d of %d clients had a batch in flight at the kill and sent it again", retried, participants)

	// The therapist sees every action: ids must run 1..N with no gap.
	all := readAll(t, second, study.therapist, path, 0)
	for i, a := range all {
		if a.ID != i+1 {
			t.Fatalf("after restart, action %d of the log has id %d: ids are not gapless 1..N", i+1, a.ID)
		}
	}
	maxID := len(all)

	for _, pr := range posters {
		own := readAll(t, second, pr.person, path, 0)
		byClientID := map[string][]action{}
		for _, a := range own {
			if a.ClientID != "" {
				byClientID[a.ClientID] = append(byClientID[a.ClientID], a)
			}
		}
		for clientID, saved := range pr.acknowledged {
			found := byClientID[clientID]
			switch {
			case len(found) == 0:
				t.Errorf("%s: action %s was reported as saved (id %d) but is gone after the kill", pr.person.alias, clientID, saved.ID)
			case len(found) > 1:
				t.Errorf("%s: action %s is saved %d times", pr.person.alias, clientID, len(found))
			case found[0].ID != saved.ID || found[0].Body != saved.Body:
				t.Errorf("%s: action %s was saved as id %d %q, is now id %d %q",
					pr.person.alias, clientID, saved.ID, saved.Body, found[0].ID, found[0].Body)
			}
		}

		// Catching up from the last response must return exactly the rest:
		// every later id in order, up to at least the therapist's count
		// (re-entering after the restart may have added notices since).
		rest := readAll(t, second, pr.person, path, pr.lastSeen)
		for i, a := range rest {
			if a.ID != pr.lastSeen+1+i {
				t.Errorf("%s: catching up after %d, item %d has id %d, want %d", pr.person.alias, pr.lastSeen, i, a.ID, pr.lastSeen+1+i)
				break
			}
		}
		if pr.lastSeen+len(rest) < maxID {
			t.Errorf("%s: catching up after %d returned %d actions, short of id %d", pr.person.alias, pr.lastSeen, len(rest), maxID)
		}
	}
}

// batchItems returns a batch of one to three posts with client_ids unique
// to the author and batch.
func batchItems(alias string, batch int) []map[string]any {
	var items []map[string]any
	for k := 0; k <= batch%3; k++ {
		body := fmt.Sprintf("%s batch %d item %d", alias, batch, k)
		items = append(items, map[string]any{
			"client_id":         fmt.Sprintf("%s-%d-%d", alias, batch, k),
			"client_ts":         time.Now().UTC().Format(time.RFC3339Nano),
			"type":              "post",
			"body":              body,
			"recipients":        []string{},
			"time_to_complete":  1.5,
			"character_history": body,
		})
	}
	return items
}

// mustReach calls request, and when the caller is no longer inside the
// session after the restart (presence may not survive a kill) enters again
// and retries once.
func mustReach(t *testing.T, s *server, p person, path string, request func() (int, error)) (int, error) {
	t.Helper()
	status, err := request()
	if status != http.StatusForbidden && status != http.StatusConflict {
		return status, err
	}
	if _, err := s.do(context.Background(), http.MethodPost, path+"/enter", p.token, nil, nil); err != nil {
		t.Fatalf("%s enters again after the restart: %v", p.alias, err)
	}
	return request()
}

// readAll pages through the action log after the given id as p sees it.
func readAll(t *testing.T, s *server, p person, path string, after int) []action {
	t.Helper()
	var all []action
	// A page holds up to 500 actions; 100 pages is far more than the test writes.
	for page := 0; page < 100; page++ {
		var answer actionsAnswer
		status, err := mustReach(t, s, p, path, func() (int, error) {
			answer = actionsAnswer{}
			return s.do(context.Background(), http.MethodGet, fmt.Sprintf("%s/actions?after=%d&limit=500", path, after), p.token, nil, &answer)
		})
		if err != nil || status != http.StatusOK {
			t.Fatalf("%s reads after %d: status %d, %v", p.alias, after, status, err)
		}
		all = append(all, answer.Actions...)
		if len(answer.Actions) == 0 || answer.Actions[len(answer.Actions)-1].ID >= answer.MaxID {
			return all
		}
		after = answer.Actions[len(answer.Actions)-1].ID
	}
	t.Fatalf("%s: the action log did not end within 100 pages", p.alias)
	return nil
}
