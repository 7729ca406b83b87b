package hooks

import (
	"fmt"
	"os"
	"os/user"

	"github.com/pocketbase/pocketbase/core"
)

// ExportRequester is who asked for an export, as recorded in export_log.
type ExportRequester struct {
	// Superuser is the signed-in superuser of an API request; nil for the
	// command.
	Superuser *core.Record
	// CommandUser is the operating system account that ran `hearth export`.
	CommandUser string
}

// CommandRequester returns the requester of an export run from the command
// line: the current operating system account.
func CommandRequester() ExportRequester {
	name := os.Getenv("USER")
	if current, err := user.Current(); err == nil {
		name = current.Username
	}
	return ExportRequester{CommandUser: name}
}

// LogExport saves an export_log record for request. Exports call it before
// writing anything, so that an export which fails halfway, after some data
// has left the server, is still on record.
func LogExport(app core.App, request ExportRequest, requester ExportRequester) error {
	collection, err := app.FindCachedCollectionByNameOrId("export_log")
	if err != nil {
		return err
	}
	entry := core.NewRecord(collection)
	if requester.Superuser != nil {
		entry.Set("source", "api")
		entry.Set("superuser_id", requester.Superuser.Id)
		entry.Set("superuser_email", requester.Superuser.Email())
	} else {
		entry.Set("source", "command")
		entry.Set("command_user", requester.CommandUser)
	}
	entry.Set("scope", request.Scope)
	sessionIDs := request.SessionIDs
	if sessionIDs == nil {
		sessionIDs = []string{}
	}
	entry.Set("therapy_sessions", sessionIDs)
	entry.Set("format", request.Format)
	entry.Set("table", request.Table)
	if err := app.Save(entry); err != nil {
		return fmt.Errorf("save export log entry: %w", err)
	}
	return nil
}
