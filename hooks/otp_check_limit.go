package hooks

import (
	"database/sql"
	"errors"
	"time"

	"github.com/hearth-research/hearth/internal/attemptlimit"
	"github.com/pocketbase/pocketbase/core"
)

// PocketBase's auth-with-otp (v0.36.8) allows 5 code checks per person's
// record and client in 180 s, and then returns 429 with tooManyCodeChecks.
// It counts only otpIds with a live code, so only enrolled people would
// ever get that 429. Hearth applies the same limit in front of it to every
// otpId, with the same response, so that PocketBase's own is never reached.
//
// NOTE: PocketBase counts per person and Hearth per phone. If staff change
// a person's phone between two code requests, the person's checks count
// under two phones here, and PocketBase's limit can be reached first.
const (
	maxCodeChecks     = 5
	codeCheckWindow   = 180 * time.Second
	tooManyCodeChecks = "Too many attempts, please try again later with a new OTP."
)

// beginCodeCheck counts one code check for otpID against the limit and
// reports whether it is allowed. An otpId handed out by /api/otp/request
// counts under the phone it was requested for and the client address, and
// one never handed out under the client address alone. The caller must
// end the returned attempt once PocketBase has responded.
func (h *Hearth) beginCodeCheck(e *core.RequestEvent, otpID string) (*attemptlimit.Attempt, bool, error) {
	phone := ""
	request, err := e.App.FindFirstRecordByData("otp_requests", "otp_id", otpID)
	switch {
	case err == nil:
		phone = request.GetString("phone")
	case !errors.Is(err, sql.ErrNoRows):
		return nil, false, err
	}

	// PocketBase counts by RealIP, which believes the forwarded-for headers
	// set in its settings from any peer. Where that differs from the
	// address Hearth trusts, the check counts under both.
	keys := []string{
		codeCheckKey(phone, clientKey(h.clientAddress(e))),
		codeCheckKey(phone, clientKey(e.RealIP())),
	}
	attempt, allowed := h.signInState().codeChecks.Begin(time.Now(), keys...)
	return attempt, allowed, nil
}

func codeCheckKey(phone, client string) string {
	if phone == "" {
		return "client " + client
	}
	return "phone " + phone + " client " + client
}
