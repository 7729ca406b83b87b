package hooks

import (
	"encoding/json"
	"log/slog"
	"slices"
	"sync"

	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// subscriberQueueLimit is how many actions may wait for one realtime client.
// A client that falls this far behind is disconnected; it reconnects and
// catches up with GET …/actions?after=N.
const subscriberQueueLimit = 256

// realtimeHub delivers room actions to the realtime clients subscribed to
// therapy-sessions/{id}. It keeps its own index from room to subscribers, so
// a publish costs the size of the room, not the number of connected clients.
// Each subscriber has a bounded queue. A goroutine of its own drains it
// while messages wait, so a slow client never holds up a POST or other
// clients, and receives its actions in the order they were published. An
// idle subscriber has neither a queue buffer nor a goroutine.
type realtimeHub struct {
	logger *slog.Logger

	mu sync.Mutex
	// rooms maps a room id to its subscribers by client id.
	rooms map[string]map[string]*roomSubscriber
	// subscribers maps a client id to its room subscription; a client is
	// inside at most one room.
	subscribers map[string]*roomSubscriber
	// signIns maps a sign-in session id to every realtime client that sent
	// a subscribe request with it, subscribed to a room or not, so that
	// ending the sign-in session closes them all. It is a slice because a
	// sign-in session seldom has more than one or two clients. A map per
	// session took about 0.5 KiB per idle client in a heap profile with
	// 5,000 clients.
	signIns map[string][]subscriptions.Client
	// clientSignIns maps a client id back to its sign-in session id, so that
	// a disconnect does not walk every sign-in session under the lock that
	// publishing also takes.
	clientSignIns map[string]string
	// draining marks clients whose subscriber still delivers its last
	// messages before their connection is discarded.
	draining map[string]bool
}

// roomSubscriber is one realtime client subscribed to one room.
type roomSubscriber struct {
	client   subscriptions.Client
	roomID   string
	signInID string
	viewer   viewer
	// topics are the client's subscription names for the room: the topic,
	// possibly with options. Each message is sent under each of them,
	// because PocketBase's SDK dispatches by that name.
	topics []string

	// mu guards the queue fields below. It is the subscriber's own, so that
	// delivery goroutines do not contend for the hub's mutex.
	mu sync.Mutex
	// queue holds the messages waiting for delivery, oldest first. It is
	// nil while the subscriber is idle.
	queue []queuedMessage
	// delivering is true while a goroutine drains the queue. At most one
	// does, which keeps the client's messages in order.
	delivering bool
	// closed is set once nothing more may be queued. Messages already
	// queued are still delivered.
	closed bool
}

// queuedMessage is one message waiting for a subscriber's goroutine.
type queuedMessage struct {
	data   []byte
	topics []string
	// last marks the "ended" message; afterwards the goroutine stops the
	// client's topics and, with discard, closes its connection.
	last    bool
	discard bool
}

func newRealtimeHub(logger *slog.Logger) *realtimeHub {
	return &realtimeHub{
		logger:        logger,
		rooms:         map[string]map[string]*roomSubscriber{},
		subscribers:   map[string]*roomSubscriber{},
		signIns:       map[string][]subscriptions.Client{},
		clientSignIns: map[string]string{},
		draining:      map[string]bool{},
	}
}

// rememberClient records that client authenticated with a sign-in session.
func (h *realtimeHub) rememberClient(signInID string, client subscriptions.Client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	previous, known := h.clientSignIns[client.Id()]
	if known && previous == signInID {
		return
	}
	// A client that re-authenticates with a new sign-in session belongs
	// only to the new one.
	if known {
		h.forgetClientLocked(previous, client.Id())
	}
	h.signIns[signInID] = append(h.signIns[signInID], client)
	h.clientSignIns[client.Id()] = signInID
}

// subscribe starts or updates the client's delivery for a room. A client
// that re-subscribes to the same room keeps its queue, so nothing is lost
// or reordered.
func (h *realtimeHub) subscribe(client subscriptions.Client, roomID string, topics []string, signInID string, v viewer) {
	h.mu.Lock()
	defer h.mu.Unlock()

	if current := h.subscribers[client.Id()]; current != nil {
		if current.roomID == roomID && current.signInID == signInID {
			current.topics = topics
			current.viewer = v
			return
		}
		h.removeLocked(current)
		current.close()
	}

	subscriber := &roomSubscriber{
		client:   client,
		roomID:   roomID,
		signInID: signInID,
		viewer:   v,
		topics:   topics,
	}
	h.subscribers[client.Id()] = subscriber
	room := h.rooms[roomID]
	if room == nil {
		room = map[string]*roomSubscriber{}
		h.rooms[roomID] = room
	}
	room[client.Id()] = subscriber
}

// publish queues an action for every subscriber of the room who may see it.
// It never blocks: a subscriber whose queue is full is disconnected.
func (h *realtimeHub) publish(roomID string, action encodedAction) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subscriber := range h.rooms[roomID] {
		data := action.dataFor(subscriber.viewer)
		if data == nil {
			continue
		}
		if !h.enqueue(subscriber, queuedMessage{data: data, topics: subscriber.topics}) {
			h.logger.Warn("Disconnected a realtime client that fell behind",
				"clientId", subscriber.client.Id(), "therapySessionId", roomID)
			h.removeLocked(subscriber)
			subscriber.drop()
			subscriber.client.Discard()
		}
	}
}

// endDelivery stops the room's delivery to the subscribers that match, at
// once: nothing published afterwards reaches them. Each gets the "ended"
// message with reason after what was already queued; with discard, its
// connection is then closed.
func (h *realtimeHub) endDelivery(roomID string, match func(*roomSubscriber) bool, reason string, discard bool) {
	ended, _ := json.Marshal(map[string]string{"type": "ended", "reason": reason})

	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subscriber := range h.rooms[roomID] {
		if !match(subscriber) {
			continue
		}
		h.removeLocked(subscriber)
		if discard {
			h.draining[subscriber.client.Id()] = true
		}
		h.enqueueLast(subscriber, queuedMessage{data: ended, topics: subscriber.topics, last: true, discard: discard})
	}
}

// discardSignIn closes every realtime connection of an ended sign-in
// session, except those still delivering their "ended" message, which close
// themselves afterwards.
func (h *realtimeHub) discardSignIn(signInID string) {
	h.mu.Lock()
	clients := h.signIns[signInID]
	delete(h.signIns, signInID)
	var discard []subscriptions.Client
	for _, client := range clients {
		id := client.Id()
		delete(h.clientSignIns, id)
		if subscriber := h.subscribers[id]; subscriber != nil {
			h.removeLocked(subscriber)
			subscriber.close()
		}
		if !h.draining[id] {
			discard = append(discard, client)
		}
	}
	h.mu.Unlock()

	for _, client := range discard {
		client.Discard()
	}
}

// disconnect removes a client whose connection has closed.
func (h *realtimeHub) disconnect(clientID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if subscriber := h.subscribers[clientID]; subscriber != nil {
		h.removeLocked(subscriber)
		subscriber.close()
	}
	signInID, ok := h.clientSignIns[clientID]
	if !ok {
		return
	}
	delete(h.clientSignIns, clientID)
	h.forgetClientLocked(signInID, clientID)
}

// forgetClientLocked removes a client from a sign-in session's clients. The
// caller must hold h.mu.
func (h *realtimeHub) forgetClientLocked(signInID, clientID string) {
	clients := slices.DeleteFunc(h.signIns[signInID], func(client subscriptions.Client) bool {
		return client.Id() == clientID
	})
	if len(clients) == 0 {
		delete(h.signIns, signInID)
		return
	}
	h.signIns[signInID] = clients
}

// unsubscribe stops a client's room delivery at its own request.
func (h *realtimeHub) unsubscribe(clientID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if subscriber := h.subscribers[clientID]; subscriber != nil {
		h.removeLocked(subscriber)
		subscriber.close()
	}
}

// removeLocked takes a subscriber out of the indexes; the caller holds h.mu
// and closes or drops its queue.
func (h *realtimeHub) removeLocked(subscriber *roomSubscriber) {
	id := subscriber.client.Id()
	if h.subscribers[id] == subscriber {
		delete(h.subscribers, id)
	}
	if room := h.rooms[subscriber.roomID]; room != nil && room[id] == subscriber {
		delete(room, id)
		if len(room) == 0 {
			delete(h.rooms, subscriber.roomID)
		}
	}
}
