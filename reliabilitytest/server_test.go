// Package reliabilitytest holds black-box tests that build the hearth binary,
// run it on 127.0.0.1 against a data folder seeded here, and hurt it: kill it
// mid-write, restart it, and check what survived.
package reliabilitytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	"github.com/hearth-research/hearth/internal/hearthtest"
	_ "github.com/hearth-research/hearth/migrations"
	"github.com/pocketbase/pocketbase/core"
)

// binaryPath is the hearth binary built once by TestMain.
var binaryPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hearth-bin-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binaryPath = filepath.Join(dir, "hearth")

	// A broken go toolchain fails the package rather than skipping it, so that
	// CI never passes without having run these tests.
	build := exec.Command("go", "build", "-o", binaryPath, "github.com/hearth-research/hearth")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build hearth: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}

	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// seededStudy is a data folder prepared before the server first starts: one
// open therapy session with one therapist and some participants, each signed
// in with a token.
type seededStudy struct {
	dataDir      string
	session      string
	therapist    person
	participants []person
}

type person struct {
	id, alias, token string
}

// seedStudy creates the data folder with the migrations applied and the
// study's people enrolled and signed in, as staff and sign-in would.
func seedStudy(t *testing.T, participantCount int) *seededStudy {
	t.Helper()
	dataDir := filepath.Join(t.TempDir(), "pb_data")
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dataDir})
	if err := app.Bootstrap(); err != nil {
		t.Fatalf("bootstrap data folder: %v", err)
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		t.Fatalf("run migrations: %v", err)
	}
	// Hooks normalise phones and fill in passwords, as in the admin UI.
	hooks.Register(app, hooks.TestConfig())

	study := &seededStudy{dataDir: dataDir}
	enrol := func(role, alias string, index int) person {
		phone := fmt.Sprintf("+1650253%04d", 1000+index)
		user, err := hearthtest.EnrolUser(app, role, alias, phone, "Surname"+alias)
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := hooks.StartSignInSession(app, user)
		if err != nil {
			t.Fatalf("sign in %s: %v", alias, err)
		}
		return person{id: user.Id, alias: alias, token: token}
	}

	study.therapist = enrol("therapist", "Therapist", 0)
	var participantIDs []string
	for i := range participantCount {
		p := enrol("participant", fmt.Sprintf("P%d", i+1), i+1)
		study.participants = append(study.participants, p)
		participantIDs = append(participantIDs, p.id)
	}
	session, err := hearthtest.CreateTherapySession(app, "Crash group", "open", []string{study.therapist.id}, participantIDs)
	if err != nil {
		t.Fatal(err)
	}
	study.session = session.Id
	return study
}

// server is one running hearth process.
type server struct {
	t       *testing.T
	cmd     *exec.Cmd
	baseURL string
	log     *lockedWriter
	exited  chan struct{}
}

// startServer runs `hearth serve` on a free 127.0.0.1 port over dataDir and
// waits until its health check succeeds.
func startServer(t *testing.T, dataDir string, env ...string) *server {
	t.Helper()
	address := freeAddress(t)
	cmd := exec.Command(binaryPath, "serve", "--http", address, "--dir", dataDir)
	cmd.Dir = t.TempDir()
	// Only what the server needs: no Twilio credentials, so codes go to the log.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir}, env...)
	s := &server{t: t, cmd: cmd, baseURL: "http://" + address, log: &lockedWriter{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start hearth: %v", err)
	}
	go func() {
		cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { s.kill() })

	client := &http.Client{Timeout: time.Second}
	for attempt := 0; attempt < 300; attempt++ {
		select {
		case <-s.exited:
			t.Fatalf("hearth exited before its health check succeeded: %s", s.log)
		default:
		}
		res, err := client.Get(s.baseURL + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("hearth did not answer its health check within 15 s: %s", s.log)
	return nil
}

// kill ends the process with SIGKILL, as a power cut or the OOM killer would,
// and waits for it to be gone.
func (s *server) kill() {
	if s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.t.Errorf("hearth did not exit 10 s after SIGKILL")
	}
}

// do sends a JSON request and decodes a JSON response into out (when not
// nil). It returns the status code, or an error when no response arrived.
func (s *server) do(ctx context.Context, method, path, token string, body, out any) (int, error) {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.baseURL+path, reader)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		// The status line arrived but the body did not, so the outcome is unknown.
		return 0, fmt.Errorf("read the response of %s %s: %w", method, path, err)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, fmt.Errorf("decode the response of %s %s: %w: %s", method, path, err, raw)
		}
	}
	if res.StatusCode >= 300 && out == nil {
		return res.StatusCode, &statusError{status: res.StatusCode, body: string(raw)}
	}
	return res.StatusCode, nil
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("status %d: %s", e.status, strings.TrimSpace(e.body))
}

// isStatus reports whether err is a response with the given status.
func isStatus(err error, status int) bool {
	var se *statusError
	return errors.As(err, &se) && se.status == status
}

// lockedWriter collects the server's output, which exec copies from stdout
// and stderr in two goroutines.
type lockedWriter struct {
	mu     sync.Mutex
	buffer bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buffer.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buffer.String()
}

func freeAddress(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	return listener.Addr().String()
}
