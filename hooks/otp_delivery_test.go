package hooks_test

import (
	"strings"
	"testing"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/hearth-research/hearth/internal/sms"
	"github.com/pocketbase/dbx"
)

type smsLogRow struct {
	User         string `db:"user"`
	To           string `db:"to"`
	Status       string `db:"status"`
	TwilioSID    string `db:"twilio_sid"`
	ErrorCode    int    `db:"error_code"`
	ErrorMessage string `db:"error_message"`
}

func smsLog(t testing.TB, server *testServer) []smsLogRow {
	t.Helper()
	var rows []smsLogRow
	err := server.app.DB().Select("user", "to", "status", "twilio_sid", "error_code", "error_message").
		From("sms_log").OrderBy("created").All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSMSOutcomes checks that each Twilio outcome is logged for staff
// while the client's response stays the same 200.
func TestSMSOutcomes(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	cases := []struct {
		name        string
		reply       hearthtest.Reply
		wantStatus  string
		wantCode    int
		wantMessage string
	}{
		{"accepted", hearthtest.ReplyAccept, "sent", 0, ""},
		{"opted out", hearthtest.ReplyOptedOut, "failed", 21610, "opted out"},
		{"region not enabled", hearthtest.ReplyRegionNotEnabled, "failed", 21408, "region not enabled"},
		{"invalid number", hearthtest.ReplyInvalidNumber, "failed", 21211, "invalid number"},
		{"server error", hearthtest.ReplyServerError, "failed", 20500, "provider unavailable"},
		{"HTML bad gateway", hearthtest.ReplyHTMLBadGateway, "failed", 0, "provider unavailable"},
		{"timeout", hearthtest.ReplyHang, "failed", 0, "timed out"},
	}
	for _, c := range cases {
		fake := hearthtest.NewFakeTwilio(t)
		fake.SetReply(alice.Phone, c.reply)
		server := newTestServer(t, fakeTwilioConfig(fake))

		otpIDOf(t, server.requestCode(alice.Phone, alice.LastName))
		server.hearth.WaitForCodeDeliveries()

		rows := smsLog(t, server)
		if len(rows) != 1 {
			t.Errorf("%s: sms_log: got %d rows, want 1", c.name, len(rows))
			continue
		}
		row := rows[0]
		if row.User != alice.ID || row.To != alice.Phone {
			t.Errorf("%s: logged user %q to %q, want Alice", c.name, row.User, row.To)
		}
		if row.Status != c.wantStatus {
			t.Errorf("%s: status: got %q, want %q", c.name, row.Status, c.wantStatus)
		}
		if row.ErrorCode != c.wantCode {
			t.Errorf("%s: error_code: got %d, want %d", c.name, row.ErrorCode, c.wantCode)
		}
		if !strings.Contains(row.ErrorMessage, c.wantMessage) {
			t.Errorf("%s: error_message %q does not contain %q", c.name, row.ErrorMessage, c.wantMessage)
		}
		if (row.Status == "sent") != (row.TwilioSID != "") {
			t.Errorf("%s: twilio_sid %q with status %q", c.name, row.TwilioSID, row.Status)
		}
		code := fake.LastCode(alice.Phone)
		if code == "" || strings.Contains(row.ErrorMessage, code) {
			t.Errorf("%s: the code is missing from the request or leaked into the log", c.name)
		}
		message := fake.Messages()[0]
		if message.From != twilioNumber || message.To != alice.Phone {
			t.Errorf("%s: sent from %q to %q", c.name, message.From, message.To)
		}
	}
}

func TestSMSConsoleSender(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	var output strings.Builder
	config := hooks.TestConfig()
	config.SMSSender = sms.NewConsoleSender(&output)
	server := newTestServer(t, config)

	otpIDOf(t, server.requestCode(alice.Phone, alice.LastName))
	server.hearth.WaitForCodeDeliveries()

	rows := smsLog(t, server)
	if len(rows) != 1 || rows[0].Status != "console" {
		t.Fatalf("sms_log: got %+v, want one console row", rows)
	}
	if !strings.Contains(output.String(), "sign-in code is ") {
		t.Errorf("console output %q lacks the code", output.String())
	}
	if strings.Contains(output.String(), alice.Phone) {
		t.Errorf("console output %q shows the full phone number", output.String())
	}
}

func TestSMSWebOTPLine(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	cases := []struct{ appURL, wantLine string }{
		{"https://hearth.example.org", "\n\n@hearth.example.org #"},
		{"http://localhost:8090", ""},
		{"", ""},
	}
	for _, c := range cases {
		fake := hearthtest.NewFakeTwilio(t)
		server := newTestServer(t, fakeTwilioConfig(fake))
		server.app.Settings().Meta.AppURL = c.appURL

		otpIDOf(t, server.requestCode(alice.Phone, alice.LastName))
		server.hearth.WaitForCodeDeliveries()

		code := fake.LastCode(alice.Phone)
		body := fake.Messages()[0].Body
		if c.wantLine != "" && !strings.HasSuffix(body, c.wantLine+code) {
			t.Errorf("app URL %q: body %q does not end with the WebOTP line", c.appURL, body)
		}
		if c.wantLine == "" && strings.Contains(body, "@") {
			t.Errorf("app URL %q: body %q has a WebOTP line", c.appURL, body)
		}
		if got := countRows(t, server.app, "sms_log", dbx.HashExp{"status": "sent"}); got != 1 {
			t.Errorf("app URL %q: sms_log sent rows: got %d, want 1", c.appURL, got)
		}
	}
}

func TestSMSWithoutCredentialsUsesConsole(t *testing.T) {
	alice := hearthtest.Fixture(t).Alice
	config := hooks.TestConfig()
	config.SMSSender = nil
	server := newTestServer(t, config)

	otpIDOf(t, server.requestCode(alice.Phone, alice.LastName))
	server.hearth.WaitForCodeDeliveries()

	if got := countRows(t, server.app, "sms_log", dbx.HashExp{"status": "console"}); got != 1 {
		t.Errorf("sms_log console rows: got %d, want 1", got)
	}
}
