package sms_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/hearth-research/hearth/internal/sms"
)

func newFakeSender(t *testing.T, fake *hearthtest.FakeTwilio, from string, timeout time.Duration) *sms.TwilioSender {
	t.Helper()
	sender, err := sms.NewTwilioSender(sms.TwilioConfig{
		AccountSID: fake.AccountSID,
		AuthToken:  fake.AuthToken,
		From:       from,
		APIURL:     fake.URL,
		Timeout:    timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sender
}

func TestTwilioSenderAccepted(t *testing.T) {
	fake := hearthtest.NewFakeTwilio(t)
	sender := newFakeSender(t, fake, "+12015550199", 0)

	receipt, err := sender.Send("+16502530002", "Your code is 123456.")
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if receipt.Status != sms.StatusSent {
		t.Errorf("status: got %q, want %q", receipt.Status, sms.StatusSent)
	}
	if !strings.HasPrefix(receipt.ProviderID, "SM") {
		t.Errorf("provider id: got %q, want an SM… SID", receipt.ProviderID)
	}

	messages := fake.Messages()
	if len(messages) != 1 {
		t.Fatalf("messages at the fake: got %d, want 1", len(messages))
	}
	got := messages[0]
	if got.To != "+16502530002" || got.From != "+12015550199" || got.MessagingServiceSID != "" {
		t.Errorf("message addressing: got %+v", got)
	}
	if got.Body != "Your code is 123456." {
		t.Errorf("body: got %q", got.Body)
	}
}

func TestTwilioSenderMessagingService(t *testing.T) {
	fake := hearthtest.NewFakeTwilio(t)
	service := "MG" + strings.Repeat("0123456789abcdef", 2)
	sender := newFakeSender(t, fake, service, 0)

	if _, err := sender.Send("+16502530002", "hello"); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := fake.Messages()[0]
	if got.MessagingServiceSID != service || got.From != "" {
		t.Errorf("sender: got From %q and MessagingServiceSid %q, want only the service", got.From, got.MessagingServiceSID)
	}
}

func TestTwilioSenderFailures(t *testing.T) {
	fake := hearthtest.NewFakeTwilio(t)
	sender := newFakeSender(t, fake, "+12015550199", 300*time.Millisecond)

	cases := []struct {
		reply    hearthtest.Reply
		wantKind sms.Kind
		wantCode int
		wantText string
	}{
		{hearthtest.ReplyOptedOut, sms.KindOptedOut, 21610, "unsubscribed"},
		{hearthtest.ReplyRegionNotEnabled, sms.KindRegionNotEnabled, 21408, "region"},
		{hearthtest.ReplyInvalidNumber, sms.KindInvalidNumber, 21211, "not a valid phone number"},
		{hearthtest.ReplyServerError, sms.KindUnavailable, 20500, "Internal Server Error"},
		{hearthtest.ReplyHTMLBadGateway, sms.KindUnavailable, 0, "502"},
		{hearthtest.ReplyHang, sms.KindUnavailable, 0, "timed out"},
	}
	for i, c := range cases {
		to := "+1650253100" + string(rune('0'+i))
		fake.SetReply(to, c.reply)

		_, err := sender.Send(to, "hello")
		var sendErr *sms.Error
		if !errors.As(err, &sendErr) {
			t.Errorf("%d: got error %v, want an *sms.Error", i, err)
			continue
		}
		if sendErr.Kind != c.wantKind {
			t.Errorf("%d: kind: got %v, want %v", i, sendErr.Kind, c.wantKind)
		}
		if sendErr.Code != c.wantCode {
			t.Errorf("%d: code: got %d, want %d", i, sendErr.Code, c.wantCode)
		}
		if !strings.Contains(sendErr.Message, c.wantText) {
			t.Errorf("%d: message: got %q, want it to contain %q", i, sendErr.Message, c.wantText)
		}
	}
}

func TestTwilioSenderWrongCredentials(t *testing.T) {
	fake := hearthtest.NewFakeTwilio(t)
	sender, err := sms.NewTwilioSender(sms.TwilioConfig{
		AccountSID: fake.AccountSID, AuthToken: "wrongtoken", From: "+12015550199", APIURL: fake.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sender.Send("+16502530002", "hello")
	sendErr := sms.AsError(err)
	if sendErr.Kind != sms.KindRejected || sendErr.Code != 20003 {
		t.Errorf("got kind %v code %d, want rejected with 20003", sendErr.Kind, sendErr.Code)
	}
}

func TestNewTwilioSenderRejectsBadConfig(t *testing.T) {
	cases := []sms.TwilioConfig{
		{AuthToken: "token", From: "+12015550199"},
		{AccountSID: "AC1", From: "+12015550199"},
		{AccountSID: "AC1", AuthToken: "token"},
		{AccountSID: "AC1", AuthToken: "token", From: "+12015550199", APIURL: "ftp://127.0.0.1"},
		{AccountSID: "AC1", AuthToken: "token", From: "+12015550199", APIURL: "not a url"},
	}
	for i, config := range cases {
		if _, err := sms.NewTwilioSender(config); err == nil {
			t.Errorf("%d: got no error for %+v", i, config)
		}
	}
}

func TestConsoleSenderMasksNumber(t *testing.T) {
	var output strings.Builder
	receipt, err := sms.NewConsoleSender(&output).Send("+16502530002", "Your code is 123456.")
	if err != nil {
		t.Fatal(err)
	}
	if receipt.Status != sms.StatusConsole {
		t.Errorf("status: got %q, want %q", receipt.Status, sms.StatusConsole)
	}
	if strings.Contains(output.String(), "+16502530002") {
		t.Errorf("console output shows the full number: %q", output.String())
	}
	if !strings.Contains(output.String(), "…0002") || !strings.Contains(output.String(), "123456") {
		t.Errorf("console output lacks the masked number or the body: %q", output.String())
	}
}
