package hooks

import (
	"fmt"
	"os"
	"sync"

	"github.com/hearth-research/hearth/internal/attemptlimit"
	"github.com/hearth-research/hearth/internal/sms"
	"github.com/pocketbase/pocketbase/core"
)

// signInStateKey is the app store key of the sign-in state.
const signInStateKey = "hearthSignIn"

// signInState is the state the sign-in routes share for one app.
type signInState struct {
	sender sms.Sender
	// deliveries counts code deliveries still running in the background.
	deliveries sync.WaitGroup
	// dummyHash replaces the stored code when a code is checked against an
	// otpId with no live code behind it.
	dummyHash dummyCodeHash
	// codeChecks limits code checks per phone and client address.
	codeChecks *attemptlimit.Limiter
}

// bindSignIn binds sign-in by SMS code: the code request route, the limits
// on code checks, the current-user and logout routes, and the cron job that
// ends idle sessions.
func (h *Hearth) bindSignIn() {
	sender, usingConsole := h.chooseSender()
	h.app.Store().Set(signInStateKey, &signInState{
		sender:     sender,
		codeChecks: attemptlimit.New(maxCodeChecks, codeCheckWindow),
	})

	// Codes are only ever sent by SMS through POST /api/otp/request.
	h.app.OnRecordRequestOTPRequest("users").BindFunc(func(e *core.RecordCreateOTPRequestEvent) error {
		return e.ForbiddenError("Sign-in codes are sent by SMS. Request one with POST /api/otp/request.", nil)
	})

	h.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if usingConsole {
			warnConsoleSender(se.App)
		}
		// Hashed now, so the first wrong code does not take twice as long.
		if _, err := h.signInState().dummyHash.get(se.App); err != nil {
			return fmt.Errorf("prepare the dummy code hash: %w", err)
		}
		se.Router.POST("/api/otp/request", h.requestOTP)
		se.Router.GET("/api/me", h.me)
		se.Router.POST("/api/logout", h.logout)
		se.Router.BindFunc(h.limitCodeChecks)
		return se.Next()
	})

	h.bindCron()

	// Let deliveries already under way finish and record their outcome
	// before the database closes.
	h.app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		h.WaitForCodeDeliveries()
		return e.Next()
	})
}

// chooseSender returns the configured SMS sender, and whether it is the
// console fallback chosen because Twilio credentials are missing.
func (h *Hearth) chooseSender() (sms.Sender, bool) {
	if h.config.SMSSender != nil {
		return h.config.SMSSender, false
	}
	if h.config.TwilioAccountSID == "" {
		return sms.NewConsoleSender(os.Stderr), true
	}
	sender, err := sms.NewTwilioSender(h.config.twilioConfig())
	if err != nil {
		// LoadConfig has checked these settings, so a Config built in code
		// that gets them wrong is a programming error.
		panic(fmt.Errorf("twilio settings: %w", err))
	}
	return sender, false
}

func warnConsoleSender(app core.App) {
	const warning = "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set: no SMS is sent, and sign-in codes are printed to this console instead."
	fmt.Fprintf(os.Stderr, "\n!!! WARNING !!!\n%s\nAnyone who can read this output can sign in as any enrolled person.\n\n", warning)
	app.Logger().Warn("SMS sending is disabled; sign-in codes are printed to the console", "reason", "missing Twilio credentials")
}

func (h *Hearth) signInState() *signInState {
	state, _ := h.app.Store().Get(signInStateKey).(*signInState)
	return state
}

// WaitForCodeDeliveries blocks until every code delivery started so far
// (user lookup, code creation, SMS send and its log entry) has finished.
// The app calls it on termination, and tests call it before checking what
// was sent.
func (h *Hearth) WaitForCodeDeliveries() {
	if state := h.signInState(); state != nil {
		state.deliveries.Wait()
	}
}
