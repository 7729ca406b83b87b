package hooks

import (
	"net/http"
	"sync"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// roomService is the live therapy session ("room"): presence, the action log
// and its realtime delivery. One exists per registered app.
type roomService struct {
	hearth     *Hearth
	hub        *realtimeHub
	statements *preparedStatements

	locksMu sync.Mutex
	// locks serialise every change to one room's action log together with
	// its realtime delivery, so that commit order, id order and delivery
	// order are the same.
	locks map[string]*sync.Mutex
	// changing holds the ids of rooms whose change is running, so that the
	// staff edit hook leaves the room routes' own session saves alone.
	changing sync.Map
}

// bindRoom binds the live therapy session: entering and leaving, the action
// log routes, therapist controls and the realtime topic therapy-sessions/{id}.
func (h *Hearth) bindRoom() {
	rooms := &roomService{
		hearth: h,
		hub:    newRealtimeHub(h.app.Logger()),
		// The statements are prepared before the first room change, once
		// the app has opened its databases.
		statements: &preparedStatements{app: h.app},
		locks:      map[string]*sync.Mutex{},
	}

	h.OnSignInSessionEnd(rooms.onSignInSessionEnd)
	rooms.bindRealtime(h.app)
	rooms.bindStaffEdits(h.app)

	h.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		group := se.Router.Group("/api/therapy-sessions/{id}")
		group.Bind(apis.RequireAuth("users"))

		group.GET("", rooms.handleDetail)
		group.POST("/enter", rooms.handleEnter)
		group.POST("/leave", rooms.handleLeave)
		// The action log is the chat's own traffic: a message, a read
		// marker or a poll every few seconds from everyone inside. Each
		// saved action already records who sent it and when, so only the
		// failed requests go to PocketBase's request log, as PocketBase
		// does for its own realtime routes.
		group.GET("/actions", rooms.handleListActions).Bind(apis.SkipSuccessActivityLog())
		group.POST("/actions", rooms.handlePostActions).Bind(apis.SkipSuccessActivityLog())

		group.POST("/open", rooms.handleOpen)
		group.POST("/close", rooms.handleClose)
		group.POST("/remove/{userId}", rooms.handleRemove)
		group.POST("/readmit/{userId}", rooms.handleReadmit)
		return se.Next()
	})
}

// lock takes the room's mutex and returns its release.
func (s *roomService) lock(roomID string) func() {
	s.locksMu.Lock()
	mu := s.locks[roomID]
	if mu == nil {
		mu = &sync.Mutex{}
		s.locks[roomID] = mu
	}
	s.locksMu.Unlock()

	mu.Lock()
	return mu.Unlock
}

// okResult writes the response of a route that changes state and returns
// nothing else.
func okResult(e *core.RequestEvent) error {
	return e.JSON(http.StatusOK, map[string]string{"result": "ok"})
}
