package hooks

import (
	"errors"
	"net/http"
	"strings"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/hearth-research/hearth/internal/phone"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
)

// bindEnrolment fills in what PocketBase needs for a person staff enrol with
// only phone, last name, alias and role, and stores the phone in E.164. It
// runs on every save of a users record (admin UI, API, seeds), so a phone
// typed in a national format is normalised before validation and an invalid
// one is rejected with a field error.
func bindEnrolment(app core.App, cfg Config) {
	normalize := func(e *core.RecordEvent) error {
		typed := e.Record.GetString("phone")
		if typed != "" {
			e164, err := cfg.Phones.Parse(typed)
			switch {
			case errors.Is(err, phone.ErrCountryNotAllowed):
				return validation.Errors{"phone": validation.NewError("validation_phone_country",
					"The phone number is from a country that is not allowed to sign in (see HEARTH_PHONE_COUNTRIES).")}
			case err != nil:
				return validation.Errors{"phone": validation.NewError("validation_invalid_phone",
					"Enter a valid phone number, e.g. +1 201 555 0123.")}
			}
			e.Record.Set("phone", e164)
		}

		// Password sign-in is disabled for users; the random password only
		// satisfies PocketBase's required field for records saved from Go.
		if e.Record.IsNew() && e.Record.GetString("password") == "" {
			e.Record.SetRandomPassword()
		}
		return e.Next()
	}

	app.OnRecordCreate("users").BindFunc(normalize)
	app.OnRecordUpdate("users").BindFunc(normalize)

	// Hearth reaches people only by SMS. Staff may store an e-mail address,
	// but PocketBase's verification and e-mail change routes must not mail
	// it: the message would tell whoever reads that inbox that its owner
	// takes part in the study.
	app.OnRecordRequestVerificationRequest("users").BindFunc(func(e *core.RecordRequestVerificationRequestEvent) error {
		return e.ForbiddenError("Hearth does not send e-mail.", nil)
	})
	app.OnRecordRequestEmailChangeRequest("users").BindFunc(func(e *core.RecordRequestEmailChangeRequestEvent) error {
		return e.ForbiddenError("Hearth does not send e-mail.", nil)
	})

	// The record create route validates password and passwordConfirm from the
	// request body before any record hook runs, so the random password is put
	// into the body when staff or an integrator leave it out.
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.BindFunc(func(e *core.RequestEvent) error {
			if e.Request.Method != http.MethodPost || !isUsersCreatePath(e.Request.URL.Path) {
				return e.Next()
			}
			info, err := e.RequestInfo()
			if err != nil || info.Body == nil {
				return e.Next()
			}
			if password, _ := info.Body["password"].(string); password == "" {
				password = security.RandomString(30)
				info.Body["password"] = password
				info.Body["passwordConfirm"] = password
			}
			return e.Next()
		})
		return se.Next()
	})
}

func isUsersCreatePath(path string) bool {
	path = strings.TrimSuffix(path, "/")
	return path == "/api/collections/users/records" || path == "/api/collections/_pb_users_auth_/records"
}
