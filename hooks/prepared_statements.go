package hooks

import (
	"database/sql"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// preparedStatements keeps SQLite statements prepared on PocketBase's write
// connection pool for the two statements that every post runs.
//
// modernc.org/sqlite parses a statement's SQL on every call. Preparing the
// last-id query and the action insert once took a post from about 630 to
// 490 µs in BenchmarkPostFanout (rooms=10, 2 cores).
type preparedStatements struct {
	app core.App

	mu sync.Mutex
	// db is the write connection pool the statements were prepared on. A
	// test app that reopens its databases gets new statements.
	db      *sql.DB
	byQuery map[string]*sql.Stmt
	// insertQuery is the action insert for the collection insertFor, which
	// changes when staff edit the actions collection's fields.
	insertQuery   string
	insertColumns []string
	insertFor     *core.Collection
}

// prepare prepares the statements that a post in a transaction may look up
// with inTransaction: the last action id and the action insert for the
// actions collection as it is now. It must run outside any transaction,
// because the write pool has a single connection, which the transaction
// would hold while the prepare waited for it. For the same reason it does
// not hold p.mu while it prepares: a transaction under way needs p.mu to
// finish.
func (p *preparedStatements) prepare(app core.App) {
	if app.IsTransactional() {
		return
	}
	actions, err := app.FindCachedCollectionByNameOrId("actions")
	if err != nil {
		return
	}

	p.mu.Lock()
	if !p.currentLocked() {
		p.mu.Unlock()
		return
	}
	if p.insertFor != actions {
		columns, err := core.NewRecord(actions).DBExport(app)
		if err != nil {
			p.mu.Unlock()
			return
		}
		query, names := insertStatement(actions.Name, columns)
		// The statement of a previous column set closes once the
		// transactions using it end (database/sql counts them).
		if previous := p.byQuery[p.insertQuery]; previous != nil && query != p.insertQuery {
			previous.Close()
			delete(p.byQuery, p.insertQuery)
		}
		p.insertQuery, p.insertColumns, p.insertFor = query, names, actions
	}
	db := p.db
	var missing []string
	for _, query := range []string{maxSeqQuery, p.insertQuery} {
		if p.byQuery[query] == nil {
			missing = append(missing, query)
		}
	}
	p.mu.Unlock()

	for _, query := range missing {
		statement, err := db.Prepare(query)
		if err != nil {
			p.app.Logger().Warn("Failed to prepare a statement; posts run it unprepared", "error", err, "query", query)
			continue
		}
		p.mu.Lock()
		if p.db == db && p.byQuery[query] == nil {
			p.byQuery[query] = statement
			statement = nil
		}
		p.mu.Unlock()
		if statement != nil {
			// Another request prepared it first, or the pool changed.
			statement.Close()
		}
	}
}

// currentLocked makes sure the statements belong to the app's current write
// pool, because a test app that reopens its databases needs new ones. It
// returns false when the pool is not a plain dbx database. The caller must
// hold p.mu.
func (p *preparedStatements) currentLocked() bool {
	writeDB, ok := p.app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return false
	}
	if p.db != writeDB.DB() {
		for _, statement := range p.byQuery {
			statement.Close()
		}
		p.db, p.byQuery = writeDB.DB(), map[string]*sql.Stmt{}
	}
	return true
}

// inTransaction returns the prepared statement for query, bound to the
// transaction that tx runs in. It returns nil when query was not prepared or
// tx is not a transaction on the write pool, and the caller then runs the
// query through dbx. It never prepares: the transaction holds the only write
// connection.
func (p *preparedStatements) inTransaction(tx core.App, query string) *sql.Stmt {
	sqlTx := sqlTransaction(tx)
	if sqlTx == nil {
		return nil
	}
	p.mu.Lock()
	statement := p.byQuery[query]
	if !p.currentLocked() {
		statement = nil
	}
	p.mu.Unlock()
	if statement == nil {
		return nil
	}
	// database/sql reuses the prepared statement when the transaction runs
	// on the connection it was prepared on. After PocketBase has closed an
	// idle connection, the transaction prepares it again on its own.
	return sqlTx.Stmt(statement)
}

// insertStatement is the package's insertStatement, reusing the SQL and
// column order that prepare computed when columns has the same names.
func (p *preparedStatements) insertStatement(collection *core.Collection, columns map[string]any) (string, []any) {
	p.mu.Lock()
	query, names := p.insertQuery, p.insertColumns
	reuse := p.insertFor == collection && len(names) == len(columns)
	p.mu.Unlock()

	for _, name := range names {
		if _, ok := columns[name]; !ok {
			reuse = false
		}
	}
	if !reuse {
		query, names = insertStatement(collection.Name, columns)
	}
	return query, valuesInOrder(names, columns)
}

// sqlTransaction returns the database/sql transaction behind a PocketBase
// transaction app, or nil.
func sqlTransaction(tx core.App) *sql.Tx {
	if !tx.IsTransactional() {
		return nil
	}
	dbxTx, ok := tx.NonconcurrentDB().(*dbx.Tx)
	if !ok {
		return nil
	}
	withExecutor, ok := dbxTx.Builder.(interface{ Executor() dbx.Executor })
	if !ok {
		return nil
	}
	sqlTx, _ := withExecutor.Executor().(*sql.Tx)
	return sqlTx
}
