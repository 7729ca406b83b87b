package hooks

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// maxCodeTries is how many codes may be tried against one otpId. After
// the last wrong one the code is deleted and the person requests a new one.
const maxCodeTries = 5

// limitCodeChecks runs in front of PocketBase's own auth-with-otp handler.
// It applies the limit of maxCodeChecks per phone and client address to
// every otpId. It also counts the tries against each otpId that
// POST /api/otp/request handed out, and deletes the code after
// maxCodeTries wrong ones. A try is reserved before the code is checked,
// so parallel guesses cannot get past the cap either.
func (h *Hearth) limitCodeChecks(e *core.RequestEvent) error {
	if e.Request.Method != http.MethodPost || !isUsersAuthWithOTPPath(e.App, e.Request.URL.Path) {
		return e.Next()
	}
	form := &codeCheckForm{}
	if err := form.bind(e); err != nil || !form.valid() {
		// PocketBase's handler rejects the body before looking anything up.
		return e.Next()
	}
	otpID := form.OTPID

	attempt, allowed, err := h.beginCodeCheck(e, otpID)
	if err != nil {
		return e.InternalServerError("Failed to check the code.", err)
	}
	if !allowed {
		return e.TooManyRequestsError(tooManyCodeChecks, nil)
	}
	// Ended only once PocketBase has responded, so that the attempt counts
	// until a full window after PocketBase counted it.
	defer func() { attempt.End(time.Now()) }()

	reserved, err := changeCodeTries(e.App, otpID, +1)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Not an id handed out by /api/otp/request, so PocketBase rejects it.
		h.matchCodeCheckWork(e.App, otpID, form.Password)
		return e.Next()
	case err != nil:
		return e.InternalServerError("Failed to check the code.", err)
	case !reserved:
		deleteOTP(e.App, otpID)
		// The same work and response as for a wrong or expired code, on purpose.
		h.signInState().dummyHash.compare(e.App, form.Password)
		return e.BadRequestError("Invalid or expired OTP", errors.New("too many wrong codes"))
	}

	h.matchCodeCheckWork(e.App, otpID, form.Password)
	err = e.Next()
	var apiErr *router.ApiError
	if err == nil || !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		// Signed in, or failed before the code was compared: the try is
		// given back so that failed_attempts counts only wrong codes.
		if _, undoErr := changeCodeTries(e.App, otpID, -1); undoErr != nil {
			e.App.Logger().Error("Failed to give back a code try", "error", undoErr, "otpId", otpID)
		}
		return err
	}

	tries, countErr := codeTries(e.App, otpID)
	if countErr != nil {
		e.App.Logger().Error("Failed to read the code tries", "error", countErr, "otpId", otpID)
	}
	if tries >= maxCodeTries {
		deleteOTP(e.App, otpID)
	}
	return err
}

// changeCodeTries adds delta to the failed_attempts of the code request
// with otpID, keeping it within 0..maxCodeTries. It returns false when
// the change would leave that range.
func changeCodeTries(app core.App, otpID string, delta int) (bool, error) {
	changed := false
	err := app.RunInTransaction(func(tx core.App) error {
		request, err := tx.FindFirstRecordByData("otp_requests", "otp_id", otpID)
		if err != nil {
			return err
		}
		tries := request.GetInt("failed_attempts") + delta
		if tries < 0 || tries > maxCodeTries {
			return nil
		}
		request.Set("failed_attempts", tries)
		changed = true
		return tx.Save(request)
	})
	return changed, err
}

func codeTries(app core.App, otpID string) (int, error) {
	request, err := app.FindFirstRecordByData("otp_requests", "otp_id", otpID)
	if err != nil {
		return 0, err
	}
	return request.GetInt("failed_attempts"), nil
}

// deleteOTP deletes the code stored under otpID, if there is one.
func deleteOTP(app core.App, otpID string) {
	otp, err := app.FindOTPById(otpID)
	if err != nil {
		return
	}
	if err := app.Delete(otp); err != nil {
		app.Logger().Error("Failed to delete a code after too many wrong tries", "error", err, "otpId", otpID)
	}
}

// isUsersAuthWithOTPPath reports whether path is PocketBase's auth-with-otp
// route for the users collection. PocketBase finds the collection by id or
// by name in any letter case, so all of those spellings must be caught.
func isUsersAuthWithOTPPath(app core.App, path string) bool {
	rest, ok := strings.CutPrefix(path, "/api/collections/")
	if !ok {
		return false
	}
	name, ok := strings.CutSuffix(rest, "/auth-with-otp")
	if !ok || name == "" || strings.Contains(name, "/") {
		return false
	}
	collection, err := app.FindCachedCollectionByNameOrId(name)
	return err == nil && collection.Name == "users"
}

// -------------------------------------------------------------------

// codeCheckForm is the body of auth-with-otp, with the same tags and rules
// as PocketBase's own form. This middleware thus reads the same otpId as
// the handler after it, whatever the content type, the letter case of the
// JSON keys or repeated form fields.
type codeCheckForm struct {
	OTPID    string `form:"otpId" json:"otpId"`
	Password string `form:"password" json:"password"`
}

// bind reads the body as PocketBase's handler will. BindBody rewinds the
// body only after a JSON value it could decode. Rewinding it after a failed
// decode too makes the handler read the same bytes and fail the same way,
// rather than go on from where this decode stopped.
func (form *codeCheckForm) bind(e *core.RequestEvent) error {
	err := e.BindBody(form)
	if body, ok := e.Request.Body.(router.Rereader); ok {
		body.Reread()
	}
	return err
}

// valid reports whether PocketBase's handler accepts the form and goes on
// to look the otpId up.
func (form *codeCheckForm) valid() bool {
	return validation.ValidateStruct(form,
		validation.Field(&form.OTPID, validation.Required, validation.Length(1, 255)),
		validation.Field(&form.Password, validation.Required, validation.Length(1, 71)),
	) == nil
}
