package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"

	"github.com/hearth-research/hearth/hooks"
	_ "github.com/hearth-research/hearth/migrations"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"golang.org/x/crypto/bcrypt"
)

// roomSizes are the group sizes the fan-out scenarios use. Every seeded
// data folder has one layout of rooms per size.
var roomSizes = []int{3, 8, 15}

// person is one seeded user with an auth token of a live sign-in session.
type person struct {
	ID    string `json:"id"`
	Token string `json:"token"`
	Phone string `json:"-"`
	Last  string `json:"-"`
}

// seeded describes a template data folder: people, and for each room size
// M the rooms, where room r holds people r*M … r*M+M-1.
type seeded struct {
	dir    string
	people []person
	rooms  map[int][]string // room size → therapy_sessions ids (Hearth)
}

// seedHearth builds a Hearth data folder with count participants, each with
// a live sign-in session, and open therapy sessions for every room size.
// Records are written through the app, with Hearth's migrations, but
// without Hearth's hooks: seeding is not what is measured.
func seedHearth(dir string, count int) (*seeded, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return nil, fmt.Errorf("run migrations: %w", err)
	}

	// No one signs in with a password, so every user shares one cheap hash.
	// Hashing thousands at the default cost would take minutes.
	hash, err := bcrypt.GenerateFromPassword([]byte("benchmark-password"), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	result := &seeded{dir: dir, rooms: map[int][]string{}}
	err = app.RunInTransaction(func(tx core.App) error {
		users, err := tx.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		for i := range count {
			user := core.NewRecord(users)
			p := person{Phone: fmt.Sprintf("+1650253%04d", i), Last: fmt.Sprintf("Bench%d", i)}
			user.Set("phone", p.Phone)
			user.Set("last_name", p.Last)
			user.Set("alias", fmt.Sprintf("P%d", i))
			user.Set("role", "participant")
			user.SetRaw(core.FieldNamePassword, &core.PasswordFieldValue{Hash: string(hash)})
			if err := tx.Save(user); err != nil {
				return fmt.Errorf("create user %d: %w", i, err)
			}
			_, token, err := hooks.StartSignInSession(tx, user)
			if err != nil {
				return fmt.Errorf("sign in user %d: %w", i, err)
			}
			p.ID, p.Token = user.Id, token
			result.people = append(result.people, p)
		}

		sessions, err := tx.FindCollectionByNameOrId("therapy_sessions")
		if err != nil {
			return err
		}
		start, _ := types.ParseDateTime(types.NowDateTime().Time().Add(-5 * 60e9))
		for _, size := range roomSizes {
			for first := 0; first < count; first += size {
				var members []string
				for _, p := range result.people[first:min(first+size, count)] {
					members = append(members, p.ID)
				}
				session := core.NewRecord(sessions)
				session.Set("name", fmt.Sprintf("Bench room of %d #%d", size, first/size))
				session.Set("status", "open")
				session.Set("starts_at", start)
				session.Set("participants", members)
				if err := tx.Save(session); err != nil {
					return fmt.Errorf("create therapy session: %w", err)
				}
				result.rooms[size] = append(result.rooms[size], session.Id)
			}
		}
		return nil
	})
	return result, err
}

// seedBarePB builds the bare PocketBase data folder with count users by
// running the baseline binary's own seed command.
func seedBarePB(binary, dir string, count int) (*seeded, error) {
	command := exec.Command(binary, "seed", "--dev=false", "--dir", dir, "--users", fmt.Sprint(count))
	var stderr strings.Builder
	command.Stderr = &stderr
	out, err := command.Output()
	if err != nil {
		return nil, fmt.Errorf("seed bare PocketBase: %w: %s", err, stderr.String())
	}
	result := &seeded{dir: dir}
	if err := json.Unmarshal(out, &result.people); err != nil {
		return nil, fmt.Errorf("read bare PocketBase seed output: %w", err)
	}
	return result, nil
}
