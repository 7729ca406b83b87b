package hooks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// BenchmarkPostFanout measures one POST of a message and its delivery to
// every connected member of the room, with the same room size and more rooms
// of connected clients on the server. Clients are in memory: each is
// registered with PocketBase's broker and drained by a goroutine, as the SSE
// stream loop would. The cost should not grow with the number of rooms.
func BenchmarkPostFanout(b *testing.B) {
	for _, rooms := range []int{10, 200} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			benchmarkPostFanout(b, rooms, 6)
		})
	}
}

type benchRoom struct {
	id       string
	poster   string // a participant's token
	received chan struct{}
	members  int
}

func benchmarkPostFanout(b *testing.B, roomCount, perRoom int) {
	r := newRoomTestApp(b)
	broker := r.app.SubscriptionsBroker()

	rooms := make([]*benchRoom, roomCount)
	tokens := make([][]string, roomCount)
	phone := 0
	users, err := r.app.FindCollectionByNameOrId("users")
	if err != nil {
		b.Fatal(err)
	}
	for i := range rooms {
		var therapist string
		var participants []string
		for j := range perRoom {
			role := "participant"
			if j == 0 {
				role = "therapist"
			}
			phone++
			user := core.NewRecord(users)
			user.Set("role", role)
			user.Set("alias", fmt.Sprintf("R%dM%d", i, j))
			user.Set("phone", fmt.Sprintf("+1650253%04d", 1000+phone))
			user.Set("last_name", "Bench")
			// A fixed placeholder instead of a random bcrypt password keeps
			// the setup of 1,200 people from taking minutes; nobody signs in
			// with a password.
			user.SetRaw("password", &core.PasswordFieldValue{Plain: strings.Repeat("x", 30), Hash: "not-a-password"})
			if err := r.app.Save(user); err != nil {
				b.Fatal(err)
			}
			_, token, err := hooks.StartSignInSession(r.app, user)
			if err != nil {
				b.Fatal(err)
			}
			tokens[i] = append(tokens[i], token)
			if j == 0 {
				therapist = user.Id
			} else {
				participants = append(participants, user.Id)
			}
		}
		session, err := hearthtest.CreateTherapySession(r.app, fmt.Sprintf("Room %d", i), "open", []string{therapist}, participants)
		if err != nil {
			b.Fatal(err)
		}
		rooms[i] = &benchRoom{id: session.Id, poster: tokens[i][1], received: make(chan struct{}, 64*perRoom), members: perRoom}
		for _, token := range tokens[i] {
			r.enter(session.Id, token)
		}
	}

	// Connect and subscribe every member once all have entered, so that no
	// join notice is still on its way when timing starts.
	for i, room := range rooms {
		for _, token := range tokens[i] {
			client := subscriptions.NewDefaultClient()
			broker.Register(client)
			go func() {
				for range client.Channel() {
					room.received <- struct{}{}
				}
			}()
			body, _ := json.Marshal(map[string]any{"clientId": client.Id(), "subscriptions": []string{"therapy-sessions/" + room.id}})
			r.mustCall(http.StatusNoContent, http.MethodPost, "/api/realtime", token, string(body))
		}
	}
	b.Cleanup(func() {
		for _, client := range broker.Clients() {
			broker.Unregister(client.Id())
		}
	})

	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		room := rooms[i%len(rooms)]
		body, _ := json.Marshal([]any{message(fmt.Sprintf("bench-%d", i), "benchmark message")})
		r.mustCall(http.StatusOK, http.MethodPost, "/api/therapy-sessions/"+room.id+"/actions", room.poster, string(body))
		for range room.members {
			<-room.received
		}
	}
}
