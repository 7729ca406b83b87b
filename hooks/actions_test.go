package hooks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestPostActionsValidation(t *testing.T) {
	long := strings.Repeat("é", 4001)
	cases := []struct {
		name      string
		body      string
		therapist bool
		status    int
		expected  []string
	}{
		{"not an array", `{"type":"post"}`, false, 400, []string{"JSON array"}},
		{"empty batch", `[]`, false, 400, []string{"at least one"}},
		{"body too long", `[{"client_id":"a","type":"post","body":"` + long + `"}]`, false, 400,
			[]string{`"0":{"body":{"code":"validation_max_text_constraint"`}},
		{"missing client_id", `[{"type":"post","body":"hi"}]`, false, 400, []string{`"client_id":{"code":"validation_required"`}},
		{"blank body", `[{"client_id":"a","type":"post","body":"  "}]`, false, 400, []string{`"body":{"code":"validation_required"`}},
		{"unknown type", `[{"client_id":"a","type":"shout","body":"hi"}]`, false, 400, []string{`"type":{"code":"validation_unknown_type"`}},
		{"unknown icon", `[{"client_id":"a","type":"reaction","target":1,"icon":"fire"}]`, false, 400, []string{`"icon":{"code":"validation_unknown_icon"`}},
		{"unknown target", `[{"client_id":"a","type":"reaction","target":999,"icon":"heart"}]`, false, 400, []string{`"target":{"code":"validation_unknown_target"`}},
		{"target is not a message", `[{"client_id":"a","type":"delete","target":1}]`, true, 400, []string{`"validation_target_not_message"`}},
		{"recipient not a member", `[{"client_id":"a","type":"post","body":"hi","recipients":["nosuchuser00000"]}]`, false, 400,
			[]string{`"recipients":{"code":"validation_unknown_recipient"`}},
		{"invalid UTF-8", "[{\"client_id\":\"a\",\"type\":\"post\",\"body\":\"bad \xff byte\"}]", false, 400,
			[]string{`"body":{"code":"validation_invalid_utf8"`}},
		{"lone surrogate escape", `[{"client_id":"a","type":"post","body":"bad \ud800 half"}]`, false, 400,
			[]string{`"body":{"code":"validation_invalid_utf8"`}},
		{"history too long", `[{"client_id":"a","type":"post","body":"hi","character_history":"` + strings.Repeat("x", 64*1024+1) + `"}]`, false, 400,
			[]string{`"character_history":{"code":"validation_max_text_constraint"`}},
		{"negative time", `[{"client_id":"a","type":"post","body":"hi","time_to_complete":-1}]`, false, 400,
			[]string{`"time_to_complete":{"code":"validation_min_number_constraint"`}},
		{"bad client_ts", `[{"client_id":"a","type":"post","body":"hi","client_ts":"yesterday"}]`, false, 400,
			[]string{`"client_ts":{"code":"validation_invalid_datetime"`}},
		{"duplicate client_id in one batch", `[{"client_id":"a","type":"post","body":"hi"},{"client_id":"a","type":"post","body":"ho"}]`, false, 400,
			[]string{`"1":{"client_id":{"code":"validation_duplicate_client_id"`}},
		{"error names the item index", `[{"client_id":"a","type":"post","body":"ok"},{"client_id":"b","type":"post","body":"ok"},{"client_id":"c","type":"post","body":"ok"},{"client_id":"d","type":"post"}]`, false, 400,
			[]string{`"3":{"body":{"code":"validation_required"`}},
		{"valid surrogate pair", `[{"client_id":"a","type":"post","body":"smile \ud83d\ude00"}]`, false, 200, []string{`"body":"smile 😀"`}},
		{"target as numeric string", `[{"client_id":"a","type":"message_read","target":"1"}]`, false, 200, []string{`"type":"message_read","timestamp"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRoomTestApp(t)
			s := r.study
			token := s.Alice.Token
			if c.therapist {
				token = s.Therapist.Token
			}
			r.enter(s.GroupA, token)
			before, _ := r.app.CountRecords("actions")

			status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", token, c.body)
			if status != c.status {
				t.Errorf("status %d, want %d; body %s", status, c.status, answer)
			}
			for _, want := range c.expected {
				if !strings.Contains(answer, want) {
					t.Errorf("answer lacks %s: %s", want, answer)
				}
			}
			after, _ := r.app.CountRecords("actions")
			if c.status != 200 && after != before {
				t.Errorf("a refused batch saved %d actions", after-before)
			}
		})
	}
}

func TestPostTooManyItems(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	items := make([]map[string]any, 101)
	for i := range items {
		items[i] = message("c"+string(rune('a'+i%26))+strings.Repeat("x", i), "hi")
	}
	body, _ := json.Marshal(items)
	status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Alice.Token, string(body))
	if status != 400 || !strings.Contains(answer, "at most 100") {
		t.Errorf("status %d, answer %s", status, answer)
	}
}

func TestRefusedBatchSavesNothing(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	r.enter(s.GroupA, s.Therapist.Token)
	therapistMessage := r.post(s.GroupA, s.Therapist.Token, message("t1", "hello"))[0].ID
	before := r.list(s.GroupA, s.Therapist.Token).MaxID

	// The third item fails only in the database check (not the author), after
	// two items that would have been saved.
	body, _ := json.Marshal([]any{
		message("ok-1", "first"),
		item("ok-2", "reaction", map[string]any{"target": therapistMessage, "icon": "hug"}),
		item("bad-3", "delete", map[string]any{"target": therapistMessage}),
	})
	status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Alice.Token, string(body))
	if status != 400 || !strings.Contains(answer, `"2":{"target":{"code":"validation_not_author"`) {
		t.Fatalf("status %d, answer %s", status, answer)
	}
	if after := r.list(s.GroupA, s.Therapist.Token).MaxID; after != before {
		t.Errorf("max_id moved from %d to %d", before, after)
	}
	target, _ := r.app.FindFirstRecordByData("actions", "seq", therapistMessage)
	if target.GetBool("deleted") {
		t.Error("the target was marked deleted")
	}

	// The ids are still gapless afterwards.
	saved := r.post(s.GroupA, s.Alice.Token, message("ok-1", "first"))
	if saved[0].ID != before+1 {
		t.Errorf("next id %d, want %d", saved[0].ID, before+1)
	}
}

func TestRetriedItemsCreateNothingTwice(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)

	first := r.post(s.GroupA, s.Alice.Token, message("retry-1", "hello"), message("retry-2", "again"))
	second := r.post(s.GroupA, s.Alice.Token, message("retry-1", "hello"), message("retry-2", "again"), message("retry-3", "new"))
	if len(second) != 3 || second[0].ID != first[0].ID || second[1].ID != first[1].ID {
		t.Fatalf("retry answer %+v, first %+v", second, first)
	}
	if second[2].ID != first[1].ID+1 {
		t.Errorf("new item id %d, want %d", second[2].ID, first[1].ID+1)
	}
	if count, _ := r.app.CountRecords("actions"); count != 4 { // joined notice + 3 messages
		t.Errorf("actions: %d, want 4", count)
	}
	if second[0].ClientID != "retry-1" {
		t.Errorf("author's view lacks client_id: %+v", second[0])
	}

	// The same client_id with other content is a conflict naming the item.
	body, _ := json.Marshal([]any{message("retry-4", "x"), message("retry-1", "changed")})
	status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Alice.Token, string(body))
	if status != 409 || !strings.Contains(answer, `"1":{"client_id":{"code":"validation_client_id_conflict"`) {
		t.Errorf("status %d, answer %s", status, answer)
	}
	if count, _ := r.app.CountRecords("actions"); count != 4 {
		t.Errorf("actions after conflict: %d, want 4", count)
	}
}

func TestDeleteMovesBodyToOriginal(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	r.enter(s.GroupA, s.Bob.Token)
	target := r.post(s.GroupA, s.Alice.Token, message("m1", "regrettable words"))[0].ID
	r.post(s.GroupA, s.Alice.Token, item("d1", "delete", map[string]any{"target": target}))

	for _, token := range []string{s.Alice.Token, s.Bob.Token} {
		answer := r.mustCall(200, http.MethodGet, "/api/therapy-sessions/"+s.GroupA+"/actions", token, "")
		if strings.Contains(answer, "regrettable") {
			t.Errorf("a deleted body is still shown: %s", answer)
		}
		if !strings.Contains(answer, `"body":"","recipients":[],"deleted":true`) {
			t.Errorf("deleted message not marked: %s", answer)
		}
	}
	record, _ := r.app.FindFirstRecordByData("actions", "seq", target)
	if record.GetString("original_body") != "regrettable words" || record.GetString("body") != "" {
		t.Errorf("stored body %q, original %q", record.GetString("body"), record.GetString("original_body"))
	}

	body, _ := json.Marshal([]any{item("d2", "delete", map[string]any{"target": target})})
	status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Alice.Token, string(body))
	if status != 400 || !strings.Contains(answer, "validation_already_deleted") {
		t.Errorf("second delete: status %d, answer %s", status, answer)
	}
	// A retry of the first delete returns it.
	if again := r.post(s.GroupA, s.Alice.Token, item("d1", "delete", map[string]any{"target": target})); len(again) != 1 {
		t.Errorf("retried delete: %+v", again)
	}
}

func TestReadMarkerMovesOnlyForward(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	r.post(s.GroupA, s.Alice.Token, message("m1", "one"), message("m2", "two"))

	if saved := r.post(s.GroupA, s.Alice.Token, item("r1", "message_read", map[string]any{"target": 3})); len(saved) != 1 {
		t.Fatalf("first read marker not saved: %+v", saved)
	}
	if saved := r.post(s.GroupA, s.Alice.Token, item("r2", "message_read", map[string]any{"target": 2})); len(saved) != 0 {
		t.Errorf("a backwards read marker was saved: %+v", saved)
	}
	if saved := r.post(s.GroupA, s.Alice.Token, item("r3", "message_read", map[string]any{"target": 3})); len(saved) != 0 {
		t.Errorf("a repeated read marker was saved: %+v", saved)
	}
	if count, _ := r.app.CountRecords("actions"); count != 4 {
		t.Errorf("actions: %d, want 4", count)
	}
}

func TestWhiteboardAndReactions(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Therapist.Token)
	r.enter(s.GroupA, s.Alice.Token)

	r.post(s.GroupA, s.Therapist.Token, item("w1", "whiteboard", map[string]any{"body": "Today: sleep"}))
	detail := r.mustCall(200, http.MethodGet, "/api/therapy-sessions/"+s.GroupA, s.Alice.Token, "")
	if !strings.Contains(detail, `"whiteboard":"Today: sleep"`) {
		t.Errorf("whiteboard not stored on the session: %s", detail)
	}

	target := r.post(s.GroupA, s.Therapist.Token, message("m1", "Welcome"))[0].ID
	added := r.post(s.GroupA, s.Alice.Token, item("re1", "reaction", map[string]any{"target": target, "icon": "heart"}))
	removed := r.post(s.GroupA, s.Alice.Token, item("re2", "reaction", map[string]any{"target": target, "icon": "heart", "remove": true}))
	if len(added) != 1 || len(removed) != 1 {
		t.Fatalf("reactions not saved: %+v %+v", added, removed)
	}
	list := r.mustCall(200, http.MethodGet, "/api/therapy-sessions/"+s.GroupA+"/actions?after="+itoa(target), s.Therapist.Token, "")
	if !strings.Contains(list, `"icon":"heart","remove":true`) || !strings.Contains(list, `"icon":"heart","remove":false`) {
		t.Errorf("reaction views: %s", list)
	}
}

func TestListActionsPaging(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	r.post(s.GroupA, s.Alice.Token, message("m1", "one"), message("m2", "two"), message("m3", "three"))

	page := decodeActions(t, r.mustCall(200, http.MethodGet, "/api/therapy-sessions/"+s.GroupA+"/actions?after=1&limit=2", s.Alice.Token, ""))
	if len(page.Actions) != 2 || page.Actions[0].ID != 2 || page.Actions[1].ID != 3 || page.MaxID != 4 {
		t.Errorf("page %+v", page)
	}
	for _, query := range []string{"after=-1", "after=x", "limit=0", "limit=abc"} {
		if status, _ := r.call(http.MethodGet, "/api/therapy-sessions/"+s.GroupA+"/actions?"+query, s.Alice.Token, ""); status != 400 {
			t.Errorf("%s: status %d, want 400", query, status)
		}
	}
}

func itoa(n int) string {
	data, _ := json.Marshal(n)
	return string(data)
}

// TestRetriedPostAfterRecipientLeft resends a private post after its
// recipient was taken off the session: the retry returns the saved action
// instead of failing today's recipient check.
func TestRetriedPostAfterRecipientLeft(t *testing.T) {
	r := newRoomTestApp(t)
	s := r.study
	r.enter(s.GroupA, s.Alice.Token)
	first := r.post(s.GroupA, s.Alice.Token, message("private-1", "just for Bob", s.Bob.ID))

	session, err := r.app.FindRecordById("therapy_sessions", s.GroupA)
	if err != nil {
		t.Fatal(err)
	}
	session.Set("participants-", s.Bob.ID)
	if err := r.app.Save(session); err != nil {
		t.Fatal(err)
	}

	again := r.post(s.GroupA, s.Alice.Token, message("private-1", "just for Bob", s.Bob.ID))
	if len(again) != 1 || again[0].ID != first[0].ID {
		t.Errorf("retry returned %+v, expected the saved action %+v", again, first)
	}

	// A new post to the same recipient is still rejected.
	body, _ := json.Marshal([]any{message("private-2", "for Bob again", s.Bob.ID)})
	status, answer := r.call(http.MethodPost, "/api/therapy-sessions/"+s.GroupA+"/actions", s.Alice.Token, string(body))
	if status != http.StatusBadRequest || !strings.Contains(answer, "validation_unknown_recipient") {
		t.Errorf("new post to a former member: status %d, body %s", status, answer)
	}
}
