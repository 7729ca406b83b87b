package hooks

import (
	"encoding/json"
	"log/slog"
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
// Each subscriber has a bounded queue drained by its own goroutine: a slow
// client never holds up a POST or other clients, and receives its actions in
// the order they were published.
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
	// ending the sign-in session closes them all.
	signIns map[string]map[string]subscriptions.Client
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
	queue  chan queuedMessage
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
		logger:      logger,
		rooms:       map[string]map[string]*roomSubscriber{},
		subscribers: map[string]*roomSubscriber{},
		signIns:     map[string]map[string]subscriptions.Client{},
		draining:    map[string]bool{},
	}
}

// rememberClient records that client authenticated with a sign-in session.
func (h *realtimeHub) rememberClient(signInID string, client subscriptions.Client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	clients := h.signIns[signInID]
	if clients == nil {
		clients = map[string]subscriptions.Client{}
		h.signIns[signInID] = clients
	}
	clients[client.Id()] = client
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
		close(current.queue)
	}

	subscriber := &roomSubscriber{
		client:   client,
		roomID:   roomID,
		signInID: signInID,
		viewer:   v,
		topics:   topics,
		queue:    make(chan queuedMessage, subscriberQueueLimit+1),
	}
	h.subscribers[client.Id()] = subscriber
	room := h.rooms[roomID]
	if room == nil {
		room = map[string]*roomSubscriber{}
		h.rooms[roomID] = room
	}
	room[client.Id()] = subscriber
	go h.deliver(subscriber)
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
		// The last slot is kept for the "ended" message.
		if len(subscriber.queue) >= subscriberQueueLimit {
			h.logger.Warn("Disconnected a realtime client that fell behind",
				"clientId", subscriber.client.Id(), "therapySessionId", roomID)
			h.removeLocked(subscriber)
			close(subscriber.queue)
			subscriber.client.Discard()
			continue
		}
		subscriber.queue <- queuedMessage{data: data, topics: subscriber.topics}
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
		subscriber.queue <- queuedMessage{data: ended, topics: subscriber.topics, last: true, discard: discard}
		close(subscriber.queue)
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
	for id, client := range clients {
		if subscriber := h.subscribers[id]; subscriber != nil {
			h.removeLocked(subscriber)
			close(subscriber.queue)
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
		close(subscriber.queue)
	}
	for signInID, clients := range h.signIns {
		if _, ok := clients[clientID]; ok {
			delete(clients, clientID)
			if len(clients) == 0 {
				delete(h.signIns, signInID)
			}
		}
	}
}

// unsubscribe stops a client's room delivery at its own request.
func (h *realtimeHub) unsubscribe(clientID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if subscriber := h.subscribers[clientID]; subscriber != nil {
		h.removeLocked(subscriber)
		close(subscriber.queue)
	}
}

// removeLocked takes a subscriber out of the indexes; the caller holds h.mu
// and closes its queue.
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

// deliver is a subscriber's goroutine. Client.Send blocks until the client's
// stream takes the message, which is why each subscriber has its own.
func (h *realtimeHub) deliver(subscriber *roomSubscriber) {
	for message := range subscriber.queue {
		for _, topic := range message.topics {
			subscriber.client.Send(subscriptions.Message{Name: topic, Data: message.data})
		}
		if !message.last {
			continue
		}
		subscriber.client.Unsubscribe(message.topics...)
		if message.discard {
			subscriber.client.Discard()
			h.mu.Lock()
			delete(h.draining, subscriber.client.Id())
			h.mu.Unlock()
		}
	}
}
