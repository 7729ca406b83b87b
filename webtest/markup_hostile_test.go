package webtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
)

// hostileMarkup is text that a client inserting it as HTML would turn into
// elements or running script. Each payload that runs sets
// window.hearthInjected, which the test then looks for.
var hostileMarkup = []string{
	`<img src=x onerror="window.hearthInjected=1">`,
	`<script>window.hearthInjected=1</script>`,
	`"><svg onload="window.hearthInjected=1">`,
	`<a href="javascript:window.hearthInjected=1">link</a>`,
	`<iframe srcdoc="<script>parent.hearthInjected=1</script>"></iframe>`,
	`<b>bold</b> &amp; &lt;escaped&gt;`,
}

// TestHostileTextShownAsText has the therapist post markup as messages, a
// notice and the whiteboard through the API, as any client may. Alice's page
// must show each as the exact text, create no element from it and run none
// of it.
func TestHostileTextShownAsText(t *testing.T) {
	sms := hearthtest.NewFakeTwilio(t)
	s := startSite(t, smsConfig(sms))
	study := s.Study

	browser := startBrowser(t)
	alice := newPerson(t, browser, "Alice")
	s.signInThroughPage(alice, sms, study.Alice)
	alice.waitText("#sessions", "Group A")
	alice.enterRoom()

	room := "/api/therapy-sessions/" + study.GroupA
	apiCall(t, s, study.Therapist.Token, room+"/enter", "")
	var items []map[string]any
	for i, text := range hostileMarkup {
		items = append(items, map[string]any{"client_id": fmt.Sprintf("markup-%d", i), "type": "post",
			"client_ts": "2026-01-01T10:00:00Z", "body": text})
	}
	items = append(items,
		map[string]any{"client_id": "markup-notice", "type": "notice", "client_ts": "2026-01-01T10:00:00Z", "body": hostileMarkup[0]},
		map[string]any{"client_id": "markup-board", "type": "whiteboard", "client_ts": "2026-01-01T10:00:00Z", "body": hostileMarkup[1]},
	)
	batch, _ := json.Marshal(items)
	apiCall(t, s, study.Therapist.Token, room+"/actions", string(batch))

	for _, text := range hostileMarkup {
		alice.messageRow(text) // waits until a message shows exactly this text
	}
	alice.waitUntil(fmt.Sprintf(`document.body.textContent.includes(%s)`, jsString(hostileMarkup[1])))

	var injected struct {
		Ran      bool `json:"ran"`
		Elements int  `json:"elements"`
		Bold     int  `json:"bold"`
	}
	alice.eval(`({
		ran: window.hearthInjected === 1,
		elements: document.querySelectorAll('img[src="x"], svg[onload], a[href^="javascript:"], iframe, [onerror], [onload]').length,
		bold: [...document.querySelectorAll("#messages b")].filter((b) => b.textContent === "bold").length,
	})`, &injected)
	if injected.Ran {
		t.Error("a hostile message ran script in Alice's page")
	}
	if injected.Elements != 0 {
		t.Errorf("Alice's page has %d elements made from message text", injected.Elements)
	}
	if injected.Bold != 0 {
		t.Error("a <b> tag in a message was rendered as bold text")
	}
	alice.checkConsole()
}

// apiCall sends a POST with a JSON body to the site as the holder of token
// and fails the test unless it succeeds.
func apiCall(t *testing.T, s *site, token, path, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: status %d: %s", path, res.StatusCode, answer)
	}
}
