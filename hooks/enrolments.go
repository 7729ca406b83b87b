package hooks

import (
	"errors"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// bindEnrolments turns each new enrolments record into a users record, in
// the same transaction, so that staff enrol a person in the admin UI with
// phone, last name, alias and role only. A users field error (an invalid or
// duplicate phone, a taken alias) is returned under the same field name, so
// the admin UI shows it beside the enrolment's own input, and nothing is
// saved. An enrolment is a record of what staff entered: later changes are
// made on the users record, so enrolments cannot be edited.
func bindEnrolments(app core.App) {
	app.OnRecordCreate("enrolments").BindFunc(func(e *core.RecordEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			users, err := tx.FindCachedCollectionByNameOrId("users")
			if err != nil {
				return err
			}
			user := core.NewRecord(users)
			for _, field := range []string{"phone", "last_name", "alias", "role", "external_id"} {
				user.Set(field, e.Record.Get(field))
			}
			if err := tx.Save(user); err != nil {
				var fieldErrors validation.Errors
				if errors.As(err, &fieldErrors) {
					return fieldErrors
				}
				return err
			}

			// Store what was saved, e.g. the phone in E.164.
			e.Record.Set("phone", user.GetString("phone"))
			e.Record.Set("user", user.Id)
			e.App = tx
			return e.Next()
		})
	})

	app.OnRecordUpdate("enrolments").BindFunc(func(e *core.RecordEvent) error {
		return validation.Errors{"user": validation.NewError("validation_enrolment_final",
			"An enrolment cannot be changed; edit the person in the users collection instead.")}
	})
}
