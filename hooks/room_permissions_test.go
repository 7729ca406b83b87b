package hooks_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestRoomPermissionMatrix runs every room route and action type as each
// kind of caller and checks the status. Each caller gets a fresh app with
// the same starting state: the therapist and Alice inside Group A, one
// message by each, and (for the removed caller) Bob removed.
func TestRoomPermissionMatrix(t *testing.T) {
	const (
		inside    = "participant inside"
		outside   = "participant not inside"
		nonMember = "non-member"
		removed   = "removed participant"
		therapist = "therapist"
		otherTh   = "other session's therapist"
		guest     = "guest"
	)
	callers := []string{inside, outside, nonMember, removed, therapist, otherTh, guest}

	type operation struct {
		name   string
		method string
		path   string // after /api/therapy-sessions/{GroupA}
		body   func(aliceMessage, therapistMessage int) any
		want   map[string]int
	}
	all := func(status int, overrides map[string]int) map[string]int {
		result := map[string]int{}
		for _, caller := range callers {
			result[caller] = status
		}
		for caller, status := range overrides {
			result[caller] = status
		}
		return result
	}
	// Outsiders get 403 everywhere and guests 401.
	outsiders := map[string]int{nonMember: 403, otherTh: 403, guest: 401}
	with := func(extra map[string]int) map[string]int {
		merged := map[string]int{}
		for k, v := range outsiders {
			merged[k] = v
		}
		for k, v := range extra {
			merged[k] = v
		}
		return merged
	}
	batch := func(fields map[string]any) func(int, int) any {
		return func(aliceMessage, therapistMessage int) any {
			resolved := map[string]any{}
			for key, value := range fields {
				switch value {
				case "ALICE_MESSAGE":
					value = aliceMessage
				case "THERAPIST_MESSAGE":
					value = therapistMessage
				}
				resolved[key] = value
			}
			return []any{resolved}
		}
	}

	operations := []operation{
		{"view detail", http.MethodGet, "", nil, all(200, with(nil))},
		{"list actions", http.MethodGet, "/actions", nil, all(200, with(map[string]int{outside: 409, removed: 403}))},
		{"post message", http.MethodPost, "/actions",
			batch(map[string]any{"client_id": "m", "type": "post", "body": "hi", "recipients": []string{}}),
			all(200, with(map[string]int{outside: 409, removed: 403}))},
		{"post notice", http.MethodPost, "/actions",
			batch(map[string]any{"client_id": "n", "type": "notice", "body": "Break"}),
			all(200, with(map[string]int{inside: 400, outside: 409, removed: 403}))},
		{"write whiteboard", http.MethodPost, "/actions",
			batch(map[string]any{"client_id": "w", "type": "whiteboard", "body": "Agenda"}),
			all(200, with(map[string]int{inside: 400, outside: 409, removed: 403}))},
		{"react to a message", http.MethodPost, "/actions",
			batch(map[string]any{"client_id": "r", "type": "reaction", "target": "ALICE_MESSAGE", "icon": "heart"}),
			all(200, with(map[string]int{outside: 409, removed: 403}))},
		{"mark read", http.MethodPost, "/actions",
			batch(map[string]any{"client_id": "read", "type": "message_read", "target": "ALICE_MESSAGE"}),
			all(200, with(map[string]int{outside: 409, removed: 403}))},
		{"delete another's message", http.MethodPost, "/actions",
			batch(map[string]any{"client_id": "d1", "type": "delete", "target": "THERAPIST_MESSAGE"}),
			all(200, with(map[string]int{inside: 400, outside: 409, removed: 403}))},
		{"delete Alice's message", http.MethodPost, "/actions",
			batch(map[string]any{"client_id": "d2", "type": "delete", "target": "ALICE_MESSAGE"}),
			all(200, with(map[string]int{outside: 409, removed: 403}))},
		{"enter", http.MethodPost, "/enter", nil, all(200, with(map[string]int{removed: 403}))},
		{"leave", http.MethodPost, "/leave", nil, all(200, with(nil))},
		{"open", http.MethodPost, "/open", nil, all(403, with(map[string]int{therapist: 200}))},
		{"remove Bob", http.MethodPost, "/remove/BOB", nil, all(403, with(map[string]int{therapist: 200}))},
		{"readmit Bob", http.MethodPost, "/readmit/BOB", nil, all(403, with(map[string]int{therapist: 200}))},
		{"close", http.MethodPost, "/close", nil, all(403, with(map[string]int{therapist: 200}))},
	}

	for _, caller := range callers {
		t.Run(caller, func(t *testing.T) {
			r := newRoomTestApp(t)
			s := r.study
			r.enter(s.GroupA, s.Therapist.Token)
			r.enter(s.GroupA, s.Alice.Token)
			aliceMessage := r.post(s.GroupA, s.Alice.Token, message("alice-1", "from Alice"))[0].ID
			therapistMessage := r.post(s.GroupA, s.Therapist.Token, message("therapist-1", "from the therapist"))[0].ID

			token := map[string]string{
				inside: s.Alice.Token, outside: s.Bob.Token, nonMember: s.Dave.Token, removed: s.Bob.Token,
				therapist: s.Therapist.Token, otherTh: s.OtherTherapist.Token, guest: "",
			}[caller]
			if caller == removed {
				r.enter(s.GroupA, s.Bob.Token)
				r.mustCall(200, http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/remove/"+s.Bob.ID, s.Therapist.Token, "")
			}

			for _, op := range operations {
				var body string
				if op.body != nil {
					data, _ := json.Marshal(op.body(aliceMessage, therapistMessage))
					body = string(data)
				}
				path := "/api/therapy-sessions/" + s.GroupA + op.path
				if op.path == "/remove/BOB" || op.path == "/readmit/BOB" {
					path = path[:len(path)-3] + s.Bob.ID
				}
				status, answer := r.call(op.method, path, token, body)
				if status != op.want[caller] {
					t.Errorf("%s: status %d, want %d; body %s", op.name, status, op.want[caller], answer)
				}
			}
		})
	}
}

func TestUnknownSessionLooksLikeForeignOne(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	for _, path := range []string{"", "/actions"} {
		unknownStatus, unknownBody := r.call(http.MethodGet, "/api/therapy-sessions/doesnotexist123"+path, s.Alice.Token, "")
		foreignStatus, foreignBody := r.call(http.MethodGet, "/api/therapy-sessions/"+s.GroupB+path, s.Alice.Token, "")
		if unknownStatus != 403 || foreignStatus != 403 {
			t.Errorf("%q: statuses %d and %d, want 403 for both", path, unknownStatus, foreignStatus)
		}
		if unknownBody != foreignBody {
			t.Errorf("%q: answers differ: %s vs %s", path, unknownBody, foreignBody)
		}
	}
}
