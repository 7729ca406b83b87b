package hooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
	"github.com/pocketbase/pocketbase/tools/types"
)

// forgedToken describes a users auth token built by hand, the way an
// attacker who can read or guess parts of a real one would try.
type forgedToken struct {
	userID string
	// claims are added to (or, when nil, removed from) the standard claims.
	claims map[string]any
	// alg is the header's algorithm: "HS256" (default), "HS512" or "none".
	alg string
	// wrongKey signs with a key that is not the user's.
	wrongKey bool
}

// sign builds the token against app's stored signing keys.
func (f forgedToken) sign(t testing.TB, app core.App) string {
	t.Helper()
	user, err := app.FindRecordById("users", f.userID)
	if err != nil {
		t.Fatalf("find user %s: %v", f.userID, err)
	}
	collection := user.Collection()
	claims := map[string]any{
		core.TokenClaimType:         core.TokenTypeAuth,
		core.TokenClaimId:           user.Id,
		core.TokenClaimCollectionId: collection.Id,
		core.TokenClaimRefreshable:  true,
		"exp":                       time.Now().Add(time.Hour).Unix(),
	}
	for name, value := range f.claims {
		if value == nil {
			delete(claims, name)
			continue
		}
		claims[name] = value
	}

	alg := f.alg
	if alg == "" {
		alg = "HS256"
	}
	encode := func(v any) string {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	unsigned := encode(map[string]string{"alg": alg, "typ": "JWT"}) + "." + encode(claims)
	if alg == "none" {
		return unsigned + "."
	}

	key := user.TokenKey() + collection.AuthToken.Secret
	if f.wrongKey {
		key = "not-the-signing-key-" + key
	}
	newHash := map[string]func() hash.Hash{"HS256": sha256.New, "HS512": sha512.New}[alg]
	mac := hmac.New(newHash, []byte(key))
	mac.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// tokenCase is one way of presenting a token, with how Hearth must treat it:
// as a signed-in user, as a guest (PocketBase ignores a token it cannot
// verify), or as a dead sign-in (401 on every route).
type tokenCase struct {
	name string
	// token returns the Authorization header value for a fresh test app.
	token func(t testing.TB, app core.App, study *hearthtest.Study) string
	want  string // "user", "guest" or "dead"
}

func tokenCases() []tokenCase {
	withClaims := func(claims map[string]any) func(testing.TB, core.App, *hearthtest.Study) string {
		return func(t testing.TB, app core.App, study *hearthtest.Study) string {
			claims := copyClaims(claims)
			if _, set := claims["sid"]; !set {
				claims["sid"] = study.Alice.SignInSessionID
			}
			return forgedToken{userID: study.Alice.ID, claims: claims}.sign(t, app)
		}
	}

	return []tokenCase{
		{"live token", func(t testing.TB, app core.App, s *hearthtest.Study) string { return s.Alice.Token }, "user"},
		{"live token with bearer prefix", func(t testing.TB, app core.App, s *hearthtest.Study) string {
			return "bearer " + s.Alice.Token
		}, "user"},
		{"hand-built token with live sid", withClaims(nil), "user"},

		{"wrong signature", func(t testing.TB, app core.App, s *hearthtest.Study) string {
			return forgedToken{userID: s.Alice.ID, claims: map[string]any{"sid": s.Alice.SignInSessionID}, wrongKey: true}.sign(t, app)
		}, "guest"},
		{"alg none", func(t testing.TB, app core.App, s *hearthtest.Study) string {
			return forgedToken{userID: s.Alice.ID, claims: map[string]any{"sid": s.Alice.SignInSessionID}, alg: "none"}.sign(t, app)
		}, "guest"},
		{"alg HS512 with the real key", func(t testing.TB, app core.App, s *hearthtest.Study) string {
			return forgedToken{userID: s.Alice.ID, claims: map[string]any{"sid": s.Alice.SignInSessionID}, alg: "HS512"}.sign(t, app)
		}, "guest"},
		{"payload swapped to another user", func(t testing.TB, app core.App, s *hearthtest.Study) string {
			parts := strings.Split(s.Alice.Token, ".")
			bob := strings.Split(s.Bob.Token, ".")
			return parts[0] + "." + bob[1] + "." + parts[2]
		}, "guest"},
		{"expired", withClaims(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}), "guest"},
		{"file token type", withClaims(map[string]any{core.TokenClaimType: core.TokenTypeFile}), "guest"},
		{"garbage", func(t testing.TB, app core.App, s *hearthtest.Study) string { return "not.a.token" }, "guest"},

		{"no sid claim", withClaims(map[string]any{"sid": nil}), "dead"},
		{"empty sid claim", withClaims(map[string]any{"sid": ""}), "dead"},
		{"numeric sid claim", withClaims(map[string]any{"sid": 12345}), "dead"},
		{"list sid claim", withClaims(map[string]any{"sid": []string{"a"}}), "dead"},
		{"unknown sid", withClaims(map[string]any{"sid": "nosuchsession00"}), "dead"},
		{"sid of another user", func(t testing.TB, app core.App, s *hearthtest.Study) string {
			return forgedToken{userID: s.Alice.ID, claims: map[string]any{"sid": s.Bob.SignInSessionID}}.sign(t, app)
		}, "dead"},
		{"token PocketBase minted without a sid", func(t testing.TB, app core.App, s *hearthtest.Study) string {
			user, err := app.FindRecordById("users", s.Alice.ID)
			if err != nil {
				t.Fatal(err)
			}
			token, err := user.NewAuthToken()
			if err != nil {
				t.Fatal(err)
			}
			return token
		}, "dead"},
		{"ended by logout", func(t testing.TB, app core.App, s *hearthtest.Study) string {
			endSignIn(t, app, s.Alice.SignInSessionID)
			return s.Alice.Token
		}, "dead"},
		{"idle past the timeout", func(t testing.TB, app core.App, s *hearthtest.Study) string {
			signIn, err := app.FindRecordById("sign_in_sessions", s.Alice.SignInSessionID)
			if err != nil {
				t.Fatal(err)
			}
			stale, _ := types.ParseDateTime(time.Now().Add(-hooks.TestConfig().IdleTimeout - time.Minute))
			signIn.Set("last_activity_at", stale)
			if err := app.Save(signIn); err != nil {
				t.Fatal(err)
			}
			return s.Alice.Token
		}, "dead"},
	}
}

func copyClaims(in map[string]any) map[string]any {
	out := map[string]any{}
	for name, value := range in {
		out[name] = value
	}
	return out
}

// endSignIn marks a sign-in session ended, as logout stores it. The end
// listeners do not run, because only the token check is under test here.
func endSignIn(t testing.TB, app core.App, signInID string) {
	t.Helper()
	signIn, err := app.FindRecordById("sign_in_sessions", signInID)
	if err != nil {
		t.Fatal(err)
	}
	signIn.Set("ended_at", types.NowDateTime())
	signIn.Set("end_reason", hooks.EndLogout)
	if err := app.Save(signIn); err != nil {
		t.Fatal(err)
	}
}

// registerRealtimeClient adds a realtime client that userID connected
// earlier, as the SSE connect route would, and returns its id.
func registerRealtimeClient(t testing.TB, app core.App, userID string) string {
	t.Helper()
	user, err := app.FindRecordById("users", userID)
	if err != nil {
		t.Fatal(err)
	}
	client := subscriptions.NewDefaultClient()
	client.Set(apis.RealtimeClientAuthKey, user)
	app.SubscriptionsBroker().Register(client)
	return client.Id()
}

// deferredBody is a request body chosen in BeforeTestFunc, once the test app
// exists, since ApiScenario reads Body only after that.
type deferredBody struct{ reader io.Reader }

func (b *deferredBody) Read(p []byte) (int, error) {
	if b.reader == nil {
		return 0, io.EOF
	}
	return b.reader.Read(p)
}

// TestForgedTokensOnAuthRoutes presents every token case to the routes that
// exist for every signed-in user and checks that only a live, genuine token
// is treated as Alice.
func TestForgedTokensOnAuthRoutes(t *testing.T) {
	study := hearthtest.Fixture(t)

	type route struct {
		name, method, url, body string
		// statusFor maps the expected treatment to the status code.
		statusFor map[string]int
		// contentFor lists what the body contains for each treatment.
		contentFor map[string][]string
	}
	routes := []route{
		{"own users record", http.MethodGet, "/api/collections/users/records", "",
			map[string]int{"user": 200, "guest": 200, "dead": 401},
			map[string][]string{"user": {`"alias":"Alice"`}, "guest": {`"totalItems":0`}, "dead": {`"status":401`}}},
		{"token refresh", http.MethodPost, "/api/collections/users/auth-refresh", "",
			map[string]int{"user": 200, "guest": 401, "dead": 401},
			map[string][]string{"user": {`"token":`}, "guest": {`"status":401`}, "dead": {`"status":401`}}},
		{"realtime subscribe", http.MethodPost, "/api/realtime",
			`{"clientId":"CLIENT","subscriptions":["users/` + study.Alice.ID + `"]}`,
			// Only the live owner may change the subscriptions of a client that
			// connected with auth. A guest or a dead sign-in may not.
			map[string]int{"user": 204, "guest": 403, "dead": 401},
			map[string][]string{"guest": {`"status":403`}, "dead": {`"status":401`}}},
	}

	cases := 0
	for _, r := range routes {
		for _, tc := range tokenCases() {
			cases++
			headers := map[string]string{}
			var body io.Reader
			deferred := &deferredBody{}
			if r.body != "" {
				body = deferred
			}
			(&tests.ApiScenario{
				Name:               r.name + " with " + tc.name,
				Method:             r.method,
				URL:                r.url,
				Body:               body,
				Headers:            headers,
				ExpectedStatus:     r.statusFor[tc.want],
				ExpectedContent:    r.contentFor[tc.want],
				NotExpectedContent: []string{`"phone"`, `"last_name"`, "Anders", study.Alice.Phone},
				TestAppFactory:     hearthtest.NewApp,
				BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
					headers["Authorization"] = tc.token(t, app, study)
					text := r.body
					if strings.Contains(text, "CLIENT") {
						text = strings.ReplaceAll(text, "CLIENT", registerRealtimeClient(t, app, study.Alice.ID))
					}
					deferred.reader = strings.NewReader(text)
				},
			}).Test(t)
		}
	}
	t.Logf("forged and dead tokens: %d cases", cases)
}

// TestIdleTokenEndsSession checks that an idle sign-in is not only refused
// but recorded as ended, so that the idle sweep and staff see it.
func TestIdleTokenEndsSession(t *testing.T) {
	study := hearthtest.Fixture(t)
	var idle tokenCase
	for _, tc := range tokenCases() {
		if tc.name == "idle past the timeout" {
			idle = tc
		}
	}
	headers := map[string]string{}
	(&tests.ApiScenario{
		Name:            "idle token",
		Method:          http.MethodGet,
		URL:             "/api/collections/users/records",
		Headers:         headers,
		ExpectedStatus:  401,
		ExpectedContent: []string{`"status":401`},
		TestAppFactory:  hearthtest.NewApp,
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			headers["Authorization"] = idle.token(t, app, study)
		},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
			signIn, err := app.FindRecordById("sign_in_sessions", study.Alice.SignInSessionID)
			if err != nil {
				t.Fatal(err)
			}
			if signIn.GetDateTime("ended_at").IsZero() {
				t.Error("idle sign-in session has no ended_at")
			}
			if got := signIn.GetString("end_reason"); got != hooks.EndIdle {
				t.Errorf("end_reason = %q, want %q", got, hooks.EndIdle)
			}
		},
	}).Test(t)
}

// TestSignInSessionClaimRead checks the middleware's reading of the
// sign-in session claim on real tokens and on malformed ones.
func TestSignInSessionClaimRead(t *testing.T) {
	study := hearthtest.Fixture(t)
	if got := hooks.SignInSessionID(study.Alice.Token); got != study.Alice.SignInSessionID {
		t.Errorf("claim of Alice's token: %q, expected %q", got, study.Alice.SignInSessionID)
	}
	for _, token := range []string{"", "abc", "a.b", "a.!!!.c", "a.bm90IGpzb24.c", "a.eyJzaWQiOjF9.c"} {
		if got := hooks.SignInSessionID(token); got != "" {
			t.Errorf("claim of %q: %q, expected none", token, got)
		}
	}
}
