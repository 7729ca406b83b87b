package hooks

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"
)

// roomWriter appends actions to one room's log inside a transaction and
// collects what must happen once the transaction has committed.
type roomWriter struct {
	tx     core.App
	roomID string
	rooms  *roomService

	lastSeq       int
	lastSeqLoaded bool

	// existing are record ids read in this transaction: the room and its
	// members, once loadMember has run. validateAction does not look them
	// up again.
	existing []string

	// afterCommit runs in order after the commit, still under the room lock:
	// publishing each new action and ending realtime deliveries.
	afterCommit []func()
}

// change runs fn in a transaction while holding the room's lock, then runs
// the writer's after-commit work. Sequence numbers are read and assigned
// inside the transaction, and the lock is held until every new action has
// been handed to the realtime hub, so that commit order, id order and
// delivery order are one order. Nothing runs after the commit when fn fails.
//
// When app is already a transaction, fn joins it and the after-commit work
// runs when fn returns, before the outer transaction commits.
func (s *roomService) change(app core.App, roomID string, fn func(w *roomWriter) error) error {
	return s.changeRooms(app, []string{roomID}, func(writers []*roomWriter) error {
		return fn(writers[0])
	})
}

// changeRooms is change for work that spans several distinct rooms in one
// transaction, such as leaving one room to enter another. fn gets one writer
// per room, in the order of roomIDs, and their after-commit work runs in that
// order. The locks are taken in id order, so that two such changes that
// share rooms cannot deadlock.
func (s *roomService) changeRooms(app core.App, roomIDs []string, fn func(writers []*roomWriter) error) error {
	// Prepare before taking any lock, because preparing may wait for the
	// write connection.
	s.statements.prepare(app)

	for _, roomID := range slices.Sorted(slices.Values(roomIDs)) {
		unlock := s.lock(roomID)
		defer unlock()
		s.changing.Store(roomID, true)
		defer s.changing.Delete(roomID)
	}

	var writers []*roomWriter
	err := runRoomTransaction(app, roomIDs, func(tx core.App) error {
		writers = make([]*roomWriter, len(roomIDs))
		for i, roomID := range roomIDs {
			writers[i] = &roomWriter{tx: tx, roomID: roomID, rooms: s}
		}
		return fn(writers)
	})
	if err != nil {
		return err
	}
	for _, writer := range writers {
		for _, work := range writer.afterCommit {
			work()
		}
	}
	return nil
}

// maxSeq returns the highest sequence number of the room, 0 for none.
func maxSeq(app core.App, roomID string) (int, error) {
	var result struct {
		Max int `db:"max_seq"`
	}
	err := app.DB().Select("COALESCE(MAX([[seq]]), 0) AS max_seq").
		From("actions").
		Where(dbx.HashExp{"therapy_session": roomID}).
		One(&result)
	if err != nil {
		return 0, fmt.Errorf("read the last action id of %q: %w", roomID, err)
	}
	return result.Max, nil
}

// currentMaxSeq returns the room's highest sequence number as this
// transaction sees it.
func (w *roomWriter) currentMaxSeq() (int, error) {
	if w.lastSeqLoaded {
		return w.lastSeq, nil
	}

	var last int
	var err error
	if statement := w.rooms.statements.inTransaction(w.tx, maxSeqQuery); statement != nil {
		err = statement.QueryRow(w.roomID).Scan(&last)
		if err != nil {
			err = fmt.Errorf("read the last action id of %q: %w", w.roomID, err)
		}
	} else {
		last, err = maxSeq(w.tx, w.roomID)
	}
	if err != nil {
		return 0, err
	}
	w.lastSeq, w.lastSeqLoaded = last, true
	return last, nil
}

// maxSeqQuery is maxSeq as plain SQL, for the prepared statement of posts.
const maxSeqQuery = "SELECT COALESCE(MAX(`seq`), 0) FROM `actions` WHERE `therapy_session` = ?"

// newAction returns an unsaved actions record of the given type.
func (w *roomWriter) newAction(actionType string) (*core.Record, error) {
	collection, err := w.tx.FindCachedCollectionByNameOrId("actions")
	if err != nil {
		return nil, err
	}
	action := core.NewRecord(collection)
	action.Set("type", actionType)
	return action, nil
}

// append gives action the room's next sequence number, saves it and
// schedules its realtime delivery.
func (w *roomWriter) append(action *core.Record) error {
	last, err := w.currentMaxSeq()
	if err != nil {
		return err
	}
	action.Set("therapy_session", w.roomID)
	action.Set("seq", last+1)
	if err := w.insertValidated(action); err != nil {
		return fmt.Errorf("save %s action: %w", action.GetString("type"), err)
	}
	w.lastSeq = last + 1

	w.afterCommit = append(w.afterCommit, func() {
		w.rooms.publish(w.roomID, action)
	})
	return nil
}

// insertValidated validates a new record and inserts it with plain SQL.
//
// NOTE: this skips PocketBase's record hooks and its realtime broadcast on
// purpose, for the actions collection only. That broadcast walks every
// connected realtime client on each save (PocketBase v0.36.8,
// apis/realtime.go), so a post cost grew with the number of clients in all
// rooms. The room hub delivers actions instead. The actions collection has
// no API rules, so no member could subscribe to it anyway. Other writes of
// the room (attendance, sessions, deleted messages) still go through Save.
func (w *roomWriter) insertValidated(record *core.Record) error {
	record.Set("id", core.GenerateDefaultRandomId())
	record.SetRaw("created", types.NowDateTime())
	if err := w.validateAction(record); err != nil {
		return err
	}
	columns, err := record.DBExport(w.tx)
	if err != nil {
		return err
	}
	query, values := w.rooms.statements.insertStatement(record.Collection(), columns)
	if statement := w.rooms.statements.inTransaction(w.tx, query); statement != nil {
		_, err = statement.Exec(values...)
	} else {
		_, err = w.tx.DB().Insert(record.Collection().Name, dbx.Params(columns)).Execute()
	}
	if err != nil {
		return err
	}
	record.MarkAsNotNew()
	return nil
}

// insertStatement returns the SQL that inserts one row with columns into
// table, with the columns in name order, and the column names in that order.
func insertStatement(table string, columns map[string]any) (string, []string) {
	names := slices.Sorted(maps.Keys(columns))
	var query strings.Builder
	query.WriteString("INSERT INTO `" + table + "` (")
	for i, name := range names {
		if i > 0 {
			query.WriteString(", ")
		}
		query.WriteString("`" + name + "`")
	}
	query.WriteString(") VALUES (?" + strings.Repeat(", ?", len(names)-1) + ")")
	return query.String(), names
}

// valuesInOrder returns the values of columns in the order of names.
func valuesInOrder(names []string, columns map[string]any) []any {
	values := make([]any, len(names))
	for i, name := range names {
		values[i] = columns[name]
	}
	return values
}

// appendSystemNotice appends a notice from the server, such as "Alice joined".
func (w *roomWriter) appendSystemNotice(text string) error {
	notice, err := w.newAction(actionNotice)
	if err != nil {
		return err
	}
	notice.Set("sender", "system")
	notice.Set("body", text)
	return w.append(notice)
}

// publish encodes action once per kind of viewer and hands it to the hub.
func (s *roomService) publish(roomID string, action *core.Record) {
	encoded, err := encodeAction(action)
	if err != nil {
		s.hearth.app.Logger().Error("Failed to encode an action for realtime delivery",
			"error", err, "therapySessionId", roomID, "actionId", action.GetInt("seq"))
		return
	}
	s.hub.publish(roomID, encoded)
}

// apiError returns err as an API error: errors that already are one pass
// through, anything else becomes a 500 whose cause goes to the log only.
func apiError(e *core.RequestEvent, err error) error {
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return e.InternalServerError("Failed to update the therapy session.", err)
}
