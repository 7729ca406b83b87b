package hooks

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

// A wrong code must take as long to reject for an otpId with no code behind
// it as for one with a code. PocketBase's auth-with-otp compares the code
// with the stored bcrypt hash only when the otpId names a live code, and
// otherwise returns 400 at once. Since /api/otp/request creates a code only
// for an enrolled phone and last name, that difference in time would tell
// whoever requested the otpId whether the person is enrolled.

// dummyCodeHash is the hash of a random code that is never sent, made by
// PocketBase's password field of the _otps collection, so with the same
// bcrypt cost as the stored codes.
type dummyCodeHash struct {
	mu   sync.Mutex
	otp  *core.OTP
	cost int // the _otps password field's Cost when otp was hashed

	// comparisons counts the comparisons made, so tests can check which
	// requests made one.
	comparisons atomic.Int64
}

// get returns the dummy code, hashing a new one when there is none yet or
// the cost of the _otps password field has changed since.
func (d *dummyCodeHash) get(app core.App) (*core.OTP, error) {
	collection, err := app.FindCachedCollectionByNameOrId(core.CollectionNameOTPs)
	if err != nil {
		return nil, err
	}
	field, ok := collection.Fields.GetByName("password").(*core.PasswordField)
	if !ok {
		return nil, errors.New("the _otps collection has no password field")
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if d.otp == nil || d.cost != field.Cost {
		otp := core.NewOTP(app)
		otp.SetPassword(security.RandomString(30))
		d.otp, d.cost = otp, field.Cost
	}
	return d.otp, nil
}

// compare compares guess with the dummy hash and discards the result.
func (d *dummyCodeHash) compare(app core.App, guess string) {
	otp, err := d.get(app)
	if err != nil {
		app.Logger().Error("Failed to prepare the dummy code hash", "error", err)
		return
	}
	otp.ValidatePassword(guess)
	d.comparisons.Add(1)
}

// matchCodeCheckWork compares guess with the dummy hash unless PocketBase
// will compare it with a stored code, so that every wrong code costs one
// bcrypt comparison.
func (h *Hearth) matchCodeCheckWork(app core.App, otpID, guess string) {
	if !codeWillBeCompared(app, otpID) {
		h.signInState().dummyHash.compare(app, guess)
	}
}

// codeWillBeCompared reports whether PocketBase's auth-with-otp handler
// (v0.36.8) gets as far as comparing a code for otpID: the code exists,
// belongs to the users collection, has not expired, and its person still
// exists. It makes one query whether or not the code exists, so that it
// takes about as long either way.
func codeWillBeCompared(app core.App, otpID string) bool {
	users, err := app.FindCachedCollectionByNameOrId("users")
	if err != nil {
		return false
	}
	var code struct {
		Created types.DateTime `db:"created"`
	}
	err = app.DB().Select("otp.created").
		From(core.CollectionNameOTPs+" otp").
		InnerJoin(users.Name+" person", dbx.NewExp("[[person.id]] = [[otp.recordRef]]")).
		Where(dbx.HashExp{"otp.id": otpID, "otp.collectionRef": users.Id}).
		Limit(1).
		One(&code)
	if err != nil {
		return false
	}
	return time.Since(code.Created.Time()) <= users.OTP.DurationTime()
}
