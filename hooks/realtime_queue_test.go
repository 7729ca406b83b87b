package hooks

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// newQueueTestHub returns a hub with one therapist client subscribed to
// room "r". A therapist sees every action, so no action record is needed.
func newQueueTestHub() (*realtimeHub, *subscriptions.DefaultClient) {
	hub := newRealtimeHub(slog.New(slog.DiscardHandler))
	client := subscriptions.NewDefaultClient()
	hub.subscribe(client, "r", []string{roomTopicPrefix + "r"}, "s", viewer{userID: "t", therapist: true})
	return hub, client
}

func publishNumber(hub *realtimeHub, n int) {
	hub.publish("r", encodedAction{shared: []byte(strconv.Itoa(n))})
}

func TestHubQueueKeepsOrder(t *testing.T) {
	hub, client := newQueueTestHub()
	for n := range 50 {
		publishNumber(hub, n)
	}
	for n := range 50 {
		message := <-client.Channel()
		if string(message.Data) != strconv.Itoa(n) {
			t.Fatalf("message %d: got %q", n, message.Data)
		}
		if message.Name != roomTopicPrefix+"r" {
			t.Fatalf("message %d: topic %q", n, message.Name)
		}
	}

	// A message after the queue ran empty starts delivery again.
	publishNumber(hub, 50)
	if message := <-client.Channel(); string(message.Data) != "50" {
		t.Fatalf("after an empty queue: got %q", message.Data)
	}
}

// stalledClient is a client whose stream never takes a message. Its Discard
// only marks it, because PocketBase's Discard closes the channel that a
// blocked Send is writing to, which the race detector reports.
type stalledClient struct {
	*subscriptions.DefaultClient
	release   chan struct{}
	discarded atomic.Bool
}

func (c *stalledClient) Send(subscriptions.Message) { <-c.release }
func (c *stalledClient) Discard()                   { c.discarded.Store(true) }
func (c *stalledClient) IsDiscarded() bool          { return c.discarded.Load() }

func TestHubQueueOverflowDisconnects(t *testing.T) {
	hub := newRealtimeHub(slog.New(slog.DiscardHandler))
	client := &stalledClient{DefaultClient: subscriptions.NewDefaultClient(), release: make(chan struct{})}
	defer close(client.release)
	hub.subscribe(client, "r", []string{roomTopicPrefix + "r"}, "s", viewer{userID: "t", therapist: true})

	// One message may wait in Send and the rest in the queue, so the queue
	// is full before the last of these.
	for n := range subscriberQueueLimit + 2 {
		publishNumber(hub, n)
	}
	if !client.IsDiscarded() {
		t.Fatal("a client that fell behind must be discarded")
	}
	hub.mu.Lock()
	_, subscribed := hub.subscribers[client.Id()]
	_, roomLeft := hub.rooms["r"]
	hub.mu.Unlock()
	if subscribed {
		t.Fatal("a discarded client must leave the subscriber index")
	}
	if roomLeft {
		t.Fatal("an empty room must leave the room index")
	}
}

func TestHubQueueEndedComesLast(t *testing.T) {
	hub, client := newQueueTestHub()
	for n := range 3 {
		publishNumber(hub, n)
	}
	hub.endDelivery("r", func(*roomSubscriber) bool { return true }, reasonLeft, false)
	publishNumber(hub, 99)

	for n := range 3 {
		if message := <-client.Channel(); string(message.Data) != strconv.Itoa(n) {
			t.Fatalf("message %d: got %q", n, message.Data)
		}
	}
	var ended map[string]string
	if err := json.Unmarshal((<-client.Channel()).Data, &ended); err != nil {
		t.Fatal(err)
	}
	if ended["type"] != "ended" || ended["reason"] != reasonLeft {
		t.Fatalf("got %v, want the ended message", ended)
	}
	select {
	case message := <-client.Channel():
		t.Fatalf("got %q after the ended message", message.Data)
	default:
	}
}

func TestHubSignInIndexAfterDisconnect(t *testing.T) {
	hub := newRealtimeHub(slog.New(slog.DiscardHandler))
	gone := subscriptions.NewDefaultClient()
	stays := subscriptions.NewDefaultClient()
	moved := subscriptions.NewDefaultClient()
	hub.rememberClient("s1", gone)
	hub.rememberClient("s1", stays)
	hub.rememberClient("s1", moved)
	hub.rememberClient("s2", moved)

	hub.disconnect(gone.Id())
	if _, ok := hub.clientSignIns[gone.Id()]; ok {
		t.Error("disconnected client is still indexed")
	}
	listed := func(signInID string, client subscriptions.Client) bool {
		return slices.ContainsFunc(hub.signIns[signInID], func(c subscriptions.Client) bool { return c.Id() == client.Id() })
	}
	if listed("s1", moved) {
		t.Error("client that moved to s2 is still listed under s1")
	}
	if listed("s1", gone) {
		t.Error("disconnected client is still listed under s1")
	}
	hub.rememberClient("s1", stays)
	if len(hub.signIns["s1"]) != 1 {
		t.Errorf("s1 lists %d clients after a repeated subscribe, want 1", len(hub.signIns["s1"]))
	}

	hub.discardSignIn("s1")
	if !stays.IsDiscarded() {
		t.Error("client of the ended sign-in session was not discarded")
	}
	if moved.IsDiscarded() {
		t.Error("client of another sign-in session was discarded")
	}
	if len(hub.signIns) != 1 || len(hub.clientSignIns) != 1 {
		t.Errorf("indexes after ending s1: %d sign-ins, %d clients, want 1 and 1", len(hub.signIns), len(hub.clientSignIns))
	}
}
