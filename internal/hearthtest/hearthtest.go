// Package hearthtest builds PocketBase test apps with Hearth's migrations and
// hooks, and a small seeded study to test against. Every test package uses it
// as its TestAppFactory, so tests run the wiring that production runs.
package hearthtest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hearth-research/hearth/hooks"
	_ "github.com/hearth-research/hearth/migrations"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Study is the seeded fixture every test app starts from. Tokens stay valid
// in every clone, since the signing keys are stored in the data folder.
//
//	Open session "Group A" (status open): therapist Therapist, participants
//	  Alice and Bob.
//	Session "Group B" (status open): therapist OtherTherapist, participant
//	  Carol.
//	Dave is enrolled as a participant of no session.
type Study struct {
	Dir string

	Therapist, Alice, Bob, OtherTherapist, Carol, Dave Person

	GroupA, GroupB string // therapy_sessions ids

	// StaffToken is a superuser auth token, as staff use in the admin UI.
	StaffToken string
}

// StaffHeader returns the Authorization header map of a superuser.
func (s *Study) StaffHeader() map[string]string {
	return map[string]string{"Authorization": s.StaffToken}
}

// Person is one enrolled user of the fixture.
type Person struct {
	ID, Alias, Phone, LastName, Role string
	// Token is a users auth token of a live sign-in session.
	Token string
	// SignInSessionID is the id of that sign-in session.
	SignInSessionID string
}

// Header returns the Authorization header map for ApiScenario.Headers.
func (p Person) Header() map[string]string {
	return map[string]string{"Authorization": p.Token}
}

var (
	fixtureOnce  sync.Once
	fixture      *Study
	fixtureError error
)

// Fixture returns the seeded study, building its data folder on first use.
func Fixture(t testing.TB) *Study {
	t.Helper()
	fixtureOnce.Do(func() {
		fixture, fixtureError = buildFixture()
	})
	if fixtureError != nil {
		t.Fatalf("build test fixture: %v", fixtureError)
	}
	return fixture
}

// NewApp returns a fresh clone of the fixture with Hearth's hooks bound using
// hooks.TestConfig. The app is cleaned up when the test ends.
func NewApp(t testing.TB) *tests.TestApp {
	app, _ := NewAppWithConfig(t, hooks.TestConfig())
	return app
}

// NewAppWithConfig is NewApp with a chosen configuration; it also returns
// the registered Hearth state.
func NewAppWithConfig(t testing.TB, config hooks.Config) (*tests.TestApp, *hooks.Hearth) {
	t.Helper()
	study := Fixture(t)
	app, err := tests.NewTestApp(study.Dir)
	if err != nil {
		t.Fatalf("create test app: %v", err)
	}
	t.Cleanup(app.Cleanup)
	return app, hooks.Register(app, config)
}

func buildFixture() (*Study, error) {
	dir, err := os.MkdirTemp("", "hearth-fixture-*")
	if err != nil {
		return nil, err
	}
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: filepath.Join(dir), EncryptionEnv: "pb_test_env"})
	if err := app.Bootstrap(); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return nil, fmt.Errorf("run migrations: %w", err)
	}
	// Bind the enrolment hook so that phones are normalised as in production.
	hooks.Register(app, hooks.TestConfig())

	study := &Study{Dir: dir}

	superusers, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return nil, err
	}
	staff := core.NewRecord(superusers)
	staff.SetEmail("staff@example.com")
	staff.SetRandomPassword()
	if err := app.Save(staff); err != nil {
		return nil, fmt.Errorf("create superuser: %w", err)
	}
	if study.StaffToken, err = staff.NewAuthToken(); err != nil {
		return nil, err
	}
	people := []*Person{
		{Alias: "Therapist", Phone: "+16502530001", LastName: "Lee", Role: "therapist"},
		{Alias: "Alice", Phone: "+16502530002", LastName: "Anders", Role: "participant"},
		{Alias: "Bob", Phone: "+16502530003", LastName: "Brown", Role: "participant"},
		{Alias: "OtherTherapist", Phone: "+16502530004", LastName: "Olsen", Role: "therapist"},
		{Alias: "Carol", Phone: "+16502530005", LastName: "Chen", Role: "participant"},
		{Alias: "Dave", Phone: "+16502530006", LastName: "Diaz", Role: "participant"},
	}
	for _, person := range people {
		user, err := EnrolUser(app, person.Role, person.Alias, person.Phone, person.LastName)
		if err != nil {
			return nil, err
		}
		signIn, token, err := hooks.StartSignInSession(app, user)
		if err != nil {
			return nil, err
		}
		person.ID, person.Token, person.SignInSessionID = user.Id, token, signIn.Id
	}
	study.Therapist, study.Alice, study.Bob = *people[0], *people[1], *people[2]
	study.OtherTherapist, study.Carol, study.Dave = *people[3], *people[4], *people[5]

	groupA, err := CreateTherapySession(app, "Group A", "open", []string{study.Therapist.ID}, []string{study.Alice.ID, study.Bob.ID})
	if err != nil {
		return nil, err
	}
	groupB, err := CreateTherapySession(app, "Group B", "open", []string{study.OtherTherapist.ID}, []string{study.Carol.ID})
	if err != nil {
		return nil, err
	}
	study.GroupA, study.GroupB = groupA.Id, groupB.Id
	return study, nil
}

// EnrolUser creates a users record as staff would in the admin UI.
func EnrolUser(app core.App, role, alias, phone, lastName string) (*core.Record, error) {
	collection, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return nil, err
	}
	user := core.NewRecord(collection)
	user.Set("role", role)
	user.Set("alias", alias)
	user.Set("phone", phone)
	user.Set("last_name", lastName)
	if err := app.Save(user); err != nil {
		return nil, fmt.Errorf("enrol %s: %w", alias, err)
	}
	return user, nil
}

// CreateTherapySession creates a session starting now with the given members.
func CreateTherapySession(app core.App, name, status string, therapists, participants []string) (*core.Record, error) {
	collection, err := app.FindCollectionByNameOrId("therapy_sessions")
	if err != nil {
		return nil, err
	}
	session := core.NewRecord(collection)
	session.Set("name", name)
	session.Set("status", status)
	start, _ := types.ParseDateTime(time.Now().UTC())
	session.Set("starts_at", start)
	session.Set("therapists", therapists)
	session.Set("participants", participants)
	if err := app.Save(session); err != nil {
		return nil, fmt.Errorf("create session %s: %w", name, err)
	}
	return session, nil
}

// SignIn starts a new live sign-in session for the user with id userID and
// returns its auth token.
func SignIn(t testing.TB, app core.App, userID string) string {
	t.Helper()
	user, err := app.FindRecordById("users", userID)
	if err != nil {
		t.Fatalf("find user %s: %v", userID, err)
	}
	_, token, err := hooks.StartSignInSession(app, user)
	if err != nil {
		t.Fatalf("sign in %s: %v", userID, err)
	}
	return token
}
