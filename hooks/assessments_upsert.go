package hooks

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// upsertResponse loads the response of participantID to assessmentID,
// creating an incomplete one when there is none, lets change modify it, and
// saves it when change returns true. It runs in one transaction, so two
// deliveries at once cannot both create the row.
func upsertResponse(app core.App, assessmentID, participantID string, change func(response *core.Record) bool) (*core.Record, error) {
	var saved *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		response, err := tx.FindFirstRecordByFilter("assessment_responses",
			"assessment = {:assessment} && participant = {:participant}",
			dbx.Params{"assessment": assessmentID, "participant": participantID})
		switch {
		case errors.Is(err, sql.ErrNoRows):
			collection, err := tx.FindCachedCollectionByNameOrId("assessment_responses")
			if err != nil {
				return err
			}
			response = core.NewRecord(collection)
			response.Set("assessment", assessmentID)
			response.Set("participant", participantID)
			response.Set("status", responseIncomplete)
		case err != nil:
			return fmt.Errorf("find response of %q to %q: %w", participantID, assessmentID, err)
		}

		saved = response
		if !change(response) {
			return nil
		}
		return tx.Save(response)
	})
	return saved, err
}
