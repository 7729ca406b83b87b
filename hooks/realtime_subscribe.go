package hooks

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// roomTopicPrefix starts the realtime topic of a room: therapy-sessions/{id}.
const roomTopicPrefix = "therapy-sessions/"

// bindRealtime checks subscriptions to room topics and keeps the hub's index
// in step with PocketBase's realtime clients. Room actions never travel
// through PocketBase's collection subscriptions; the actions collection has
// no API rules, so only superusers could subscribe to it.
func (s *roomService) bindRealtime(app core.App) {
	app.OnRealtimeSubscribeRequest().BindFunc(s.onRealtimeSubscribe)

	app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
		// Next returns when the connection closes.
		err := e.Next()
		s.hub.disconnect(e.Client.Id())
		return err
	})
}

// onRealtimeSubscribe lets a client subscribe to therapy-sessions/{id} only
// when its sign-in session is inside that session. A refused request gets
// 403 and changes none of the client's subscriptions.
func (s *roomService) onRealtimeSubscribe(e *core.RealtimeSubscribeRequestEvent) error {
	signIn := SignInSessionFrom(e.RequestEvent)
	if signIn != nil {
		s.hub.rememberClient(signIn.Id, e.Client)
	}

	topicsByRoom := map[string][]string{}
	for _, subscription := range e.Subscriptions {
		if roomID, ok := roomTopic(subscription); ok {
			topicsByRoom[roomID] = append(topicsByRoom[roomID], subscription)
		}
	}

	if len(topicsByRoom) == 0 {
		if err := e.Next(); err != nil {
			return err
		}
		s.hub.unsubscribe(e.Client.Id())
		return nil
	}
	if len(topicsByRoom) > 1 {
		return e.ForbiddenError("Subscribe to one therapy session at a time.", nil)
	}
	if signIn == nil || e.Auth == nil || e.Auth.Collection().Name != "users" {
		return e.ForbiddenError("Sign in and enter the therapy session before subscribing to it.", nil)
	}

	var roomID string
	for id := range topicsByRoom {
		roomID = id
	}
	topics := topicsByRoom[roomID]

	// The lock orders this check and the registration against removals and
	// closes, so a client refused a moment later never slips in.
	unlock := s.lock(roomID)
	defer unlock()

	member, err := loadSubscribingMember(e.RequestEvent, e.App, roomID)
	if err != nil {
		return e.ForbiddenError("Enter the therapy session before subscribing to it.", nil)
	}
	if err := member.requireInside(e.RequestEvent); err != nil {
		return e.ForbiddenError("Enter the therapy session before subscribing to it.", nil)
	}

	if err := e.Next(); err != nil {
		return err
	}
	s.hub.subscribe(e.Client, roomID, topics, signIn.Id, member.viewer())
	return nil
}

// roomTopic returns the room id of a therapy-sessions/{id} subscription,
// which may carry PocketBase's "?options=…" suffix.
func roomTopic(subscription string) (string, bool) {
	topic, _, _ := strings.Cut(subscription, "?")
	roomID, ok := strings.CutPrefix(topic, roomTopicPrefix)
	return roomID, ok
}
