package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	"github.com/hearth-research/hearth/internal/namefold"
	"github.com/hearth-research/hearth/internal/sms"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
)

// deliverCode runs in the background after a code request was accepted.
// When the phone and last name belong to an enrolled person, it creates a
// code under the request's otpId and sends it. Otherwise it does nothing,
// so the otpId the client holds never matches a code. Errors are logged,
// never returned: the client has had its answer already.
func (h *Hearth) deliverCode(app core.App, sender sms.Sender, request codeRequest) {
	user, err := app.FindFirstRecordByData("users", "phone", request.phone)
	if errors.Is(err, sql.ErrNoRows) {
		return
	}
	if err != nil {
		app.Logger().Error("Failed to look up the person for a sign-in code", "error", err, "otpId", request.otpID)
		return
	}
	// Names are compared in Go with Unicode folding, because SQL LIKE and
	// NOCASE fold only ASCII letters.
	if !namefold.Equal(user.GetString("last_name"), request.lastName) {
		return
	}

	code, err := createOTP(app, user, request)
	if err != nil {
		app.Logger().Error("Failed to create a sign-in code", "error", err, "otpId", request.otpID, "userId", user.Id)
		return
	}

	receipt, sendErr := sender.Send(request.phone, codeMessage(app, user.Collection(), code))
	if sendErr != nil {
		// Logged without the provider's message, which may quote the number.
		failure := sms.AsError(sendErr)
		app.Logger().Warn("Failed to send a sign-in code by SMS",
			"error", failure.Kind.String(), "twilioCode", failure.Code, "userId", user.Id)
	}
	if err := logSMS(app, user, request.phone, receipt, sendErr); err != nil {
		app.Logger().Error("Failed to record an SMS in sms_log", "error", err, "otpId", request.otpID, "userId", user.Id)
	}
	// The code is kept when sending fails: after a timeout the message may
	// still arrive, and an unused code expires on its own.
}

// createOTP replaces the person's earlier codes with a new one stored
// under request.otpID, so that only the latest code sent works. PocketBase
// stores only a hash of it.
func createOTP(app core.App, user *core.Record, request codeRequest) (string, error) {
	length := user.Collection().OTP.Length
	if length <= 0 {
		length = 6
	}
	code := security.RandomStringWithAlphabet(length, "0123456789")

	err := app.RunInTransaction(func(tx core.App) error {
		if err := tx.DeleteAllOTPsByRecord(user); err != nil {
			return fmt.Errorf("delete earlier codes: %w", err)
		}
		otp := core.NewOTP(tx)
		otp.Id = request.otpID
		otp.SetCollectionRef(user.Collection().Id)
		otp.SetRecordRef(user.Id)
		otp.SetSentTo(request.phone)
		otp.SetPassword(code)
		return tx.Save(otp)
	})
	return code, err
}

// codeMessage returns the SMS text. When the app URL is an https URL, a
// last line in the WebOTP format lets browsers on Android offer to fill in
// the code. PocketBase's default app URL, http://localhost:8090, gets none.
func codeMessage(app core.App, users *core.Collection, code string) string {
	minutes := max(users.OTP.Duration/60, 1)
	text := fmt.Sprintf("Your Hearth sign-in code is %s. It expires in %d minutes. Do not share it.", code, minutes)
	appURL, err := url.Parse(app.Settings().Meta.AppURL)
	if err == nil && appURL.Scheme == "https" && appURL.Hostname() != "" {
		text += fmt.Sprintf("\n\n@%s #%s", appURL.Hostname(), code)
	}
	return text
}

// logSMS adds one row to sms_log for staff. It never stores the message
// text, which contains the code.
func logSMS(app core.App, user *core.Record, to string, receipt sms.Receipt, sendErr error) error {
	collection, err := app.FindCachedCollectionByNameOrId("sms_log")
	if err != nil {
		return err
	}
	entry := core.NewRecord(collection)
	entry.Set("user", user.Id)
	entry.Set("to", to)
	if sendErr != nil {
		failure := sms.AsError(sendErr)
		entry.Set("status", "failed")
		entry.Set("error_code", failure.Code)
		entry.Set("error_message", truncate(failure.Kind.String()+": "+failure.Message, 500))
	} else {
		entry.Set("status", receipt.Status)
		entry.Set("twilio_sid", receipt.ProviderID)
	}
	return app.Save(entry)
}

func truncate(text string, maxRunes int) string {
	runes := []rune(text)
	if len(runes) <= maxRunes {
		return text
	}
	return string(runes[:maxRunes-1]) + "…"
}
