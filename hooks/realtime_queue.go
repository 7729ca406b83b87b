package hooks

import "github.com/pocketbase/pocketbase/tools/subscriptions"

// enqueue adds a message to the subscriber's queue and starts its delivery
// goroutine unless one is running. It reports false when the queue is full:
// the caller then disconnects the subscriber. The last place is kept for the
// "ended" message.
func (h *realtimeHub) enqueue(subscriber *roomSubscriber, message queuedMessage) bool {
	subscriber.mu.Lock()
	defer subscriber.mu.Unlock()
	if subscriber.closed {
		return true
	}
	if len(subscriber.queue) >= subscriberQueueLimit {
		return false
	}
	h.pushLocked(subscriber, message)
	return true
}

// enqueueLast adds the "ended" message and closes the queue, whatever its
// length.
func (h *realtimeHub) enqueueLast(subscriber *roomSubscriber, message queuedMessage) {
	subscriber.mu.Lock()
	defer subscriber.mu.Unlock()
	if subscriber.closed {
		return
	}
	h.pushLocked(subscriber, message)
	subscriber.closed = true
}

// pushLocked appends message; the caller holds subscriber.mu.
func (h *realtimeHub) pushLocked(subscriber *roomSubscriber, message queuedMessage) {
	subscriber.queue = append(subscriber.queue, message)
	if !subscriber.delivering {
		subscriber.delivering = true
		go h.deliver(subscriber)
	}
}

// close stops the queue from taking messages; those already in it are
// still delivered.
func (subscriber *roomSubscriber) close() {
	subscriber.mu.Lock()
	defer subscriber.mu.Unlock()
	subscriber.closed = true
}

// drop closes the queue and discards the messages in it, for a client whose
// connection is discarded.
func (subscriber *roomSubscriber) drop() {
	subscriber.mu.Lock()
	defer subscriber.mu.Unlock()
	subscriber.closed = true
	subscriber.queue = nil
}

// next takes the oldest queued message. When the queue is empty it ends the
// delivery and reports false, under the same lock, so that a message queued
// afterwards starts a new goroutine.
func (subscriber *roomSubscriber) next() (queuedMessage, bool) {
	subscriber.mu.Lock()
	defer subscriber.mu.Unlock()
	if len(subscriber.queue) == 0 {
		// Release the buffer: most subscribers stay idle between messages.
		subscriber.queue = nil
		subscriber.delivering = false
		return queuedMessage{}, false
	}
	message := subscriber.queue[0]
	subscriber.queue[0] = queuedMessage{}
	subscriber.queue = subscriber.queue[1:]
	return message, true
}

// deliver drains a subscriber's queue and returns once it is empty.
// Client.Send blocks until the client's stream takes the message, which is
// why each subscriber with pending messages has a goroutine of its own.
func (h *realtimeHub) deliver(subscriber *roomSubscriber) {
	for {
		message, ok := subscriber.next()
		if !ok {
			return
		}
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
