package hooks

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

const (
	// defaultActionsLimit and maxActionsLimit bound one page of the action
	// log; a whole session rarely has more actions than one page.
	defaultActionsLimit = 500
	maxActionsLimit     = 500
	// actionsScanChunk is how many rows one query reads while filling a page
	// with actions the caller may see.
	actionsScanChunk = 500
)

// actionsAnswer is the response body of GET and POST /api/therapy-sessions/{id}/actions.
type actionsAnswer struct {
	Result     string       `json:"result"`
	ServerTime string       `json:"server_time"`
	MaxID      int          `json:"max_id"`
	Actions    []actionView `json:"actions"`
}

// handleListActions is GET /api/therapy-sessions/{id}/actions?after=N&limit=L.
// It returns up to L actions the caller may see with id > N, in id order. A
// page shorter than L means the caller has everything up to max_id.
func (s *roomService) handleListActions(e *core.RequestEvent) error {
	roomID := e.Request.PathValue("id")
	member, err := loadMember(e, e.App, roomID)
	if err != nil {
		return err
	}
	if err := member.requireInside(e); err != nil {
		return err
	}

	after, err := queryInt(e, "after", 0)
	if err != nil || after < 0 {
		return e.BadRequestError("The after parameter must be a whole number of at least 0.", err)
	}
	limit, err := queryInt(e, "limit", defaultActionsLimit)
	if err != nil || limit < 1 {
		return e.BadRequestError("The limit parameter must be a whole number of at least 1.", err)
	}
	limit = min(limit, maxActionsLimit)

	// max_id is read before the page, so every id the page contains is at
	// most max_id plus whatever committed in between.
	last, err := maxSeq(e.App, roomID)
	if err != nil {
		return e.InternalServerError("Failed to read the therapy session's actions.", err)
	}
	views, err := visibleActionsAfter(e.App, roomID, after, limit, member.viewer())
	if err != nil {
		return e.InternalServerError("Failed to read the therapy session's actions.", err)
	}
	if n := len(views); n > 0 && views[n-1].ID > last {
		last = views[n-1].ID
	}
	return e.JSON(http.StatusOK, actionsAnswer{
		Result:     "ok",
		ServerTime: time.Now().UTC().Format(timestampLayout),
		MaxID:      last,
		Actions:    views,
	})
}

// visibleActionsAfter reads the room's log after the given id in chunks until
// it has limit actions that v may see or the log ends.
func visibleActionsAfter(app core.App, roomID string, after, limit int, v viewer) ([]actionView, error) {
	views := []actionView{}
	for len(views) < limit {
		var chunk []*core.Record
		err := app.RecordQuery("actions").
			AndWhere(dbx.HashExp{"therapy_session": roomID}).
			AndWhere(dbx.NewExp("[[seq]] > {:after}", dbx.Params{"after": after})).
			OrderBy("seq ASC").
			Limit(actionsScanChunk).
			All(&chunk)
		if err != nil {
			return nil, err
		}
		for _, action := range chunk {
			if len(views) == limit {
				break
			}
			if canSee(action, v) {
				views = append(views, newActionView(action, isAuthor(action, v)))
			}
		}
		if len(chunk) < actionsScanChunk {
			break
		}
		after = chunk[len(chunk)-1].GetInt("seq")
	}
	return views, nil
}

func queryInt(e *core.RequestEvent, name string, fallback int) (int, error) {
	raw := e.Request.URL.Query().Get(name)
	if raw == "" {
		return fallback, nil
	}
	return strconv.Atoi(raw)
}
