package reliabilitytest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestOversizedRequests sends requests that only a real HTTP server sees:
// headers and bodies beyond the limits, and malformed paths. Each must get a
// 4xx, and the server must still answer afterwards.
func TestOversizedRequests(t *testing.T) {
	study := seedStudy(t, 1)
	s := startServer(t, study.dataDir)
	token := study.participants[0].token
	actions := "/api/therapy-sessions/" + study.session + "/actions"

	cases := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		body    []byte
		want    []int
	}{
		{"2 MB header", http.MethodGet, "/api/health", map[string]string{"X-Padding": strings.Repeat("a", 2<<20)}, nil,
			[]int{http.StatusRequestHeaderFieldsTooLarge}},
		{"2 MB token", http.MethodGet, "/api/me", map[string]string{"Authorization": strings.Repeat("a", 2<<20)}, nil,
			[]int{http.StatusRequestHeaderFieldsTooLarge}},
		{"40 MB batch", http.MethodPost, actions, map[string]string{"Authorization": token},
			append(append([]byte(`[{"client_id":"a","type":"post","body":"`), bytes.Repeat([]byte("a"), 40<<20)...), `"}]`...),
			[]int{http.StatusRequestEntityTooLarge}},
		{"40 MB code request", http.MethodPost, "/api/otp/request", nil,
			append(append([]byte(`{"phone":"+16502530000","last_name":"`), bytes.Repeat([]byte("a"), 40<<20)...), `"}`...),
			[]int{http.StatusRequestEntityTooLarge}},
		{"1 MB last name", http.MethodPost, "/api/otp/request", nil,
			[]byte(`{"phone":"+16502530000","last_name":"` + strings.Repeat("a", 1<<20) + `"}`),
			[]int{http.StatusBadRequest}},
		{"invalid UTF-8 in the path", http.MethodGet, "/api/therapy-sessions/%FF%FE/actions", map[string]string{"Authorization": token}, nil,
			[]int{http.StatusForbidden, http.StatusNotFound, http.StatusBadRequest}},
		{"NUL in the query", http.MethodGet, actions + "?after=%00", map[string]string{"Authorization": token}, nil,
			[]int{http.StatusBadRequest, http.StatusForbidden, http.StatusConflict}},
		{"huge after", http.MethodGet, actions + "?after=99999999999999999999999", map[string]string{"Authorization": token}, nil,
			[]int{http.StatusBadRequest, http.StatusForbidden, http.StatusConflict}},
		{"control characters in a token", http.MethodGet, "/api/me", map[string]string{"Authorization": "a\tb"}, nil,
			[]int{http.StatusUnauthorized}},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, s.baseURL+c.path, bytes.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		for name, value := range c.headers {
			req.Header.Set(name, value)
		}
		res, err := httpClient.Do(req)
		if err != nil {
			// The server may close the connection while a large body is
			// still being sent; that is a refusal too.
			t.Logf("%s: no response (%v)", c.name, err)
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if !containsStatus(c.want, res.StatusCode) {
			t.Errorf("%s: status %d, want one of %v", c.name, res.StatusCode, c.want)
		}
	}

	res, err := httpClient.Get(s.baseURL + "/api/health")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("health check after the oversized requests: %v", err)
	}
	res.Body.Close()
	t.Logf("oversized requests: %d cases", len(cases))
}

func containsStatus(statuses []int, status int) bool {
	for _, s := range statuses {
		if s == status {
			return true
		}
	}
	return false
}
