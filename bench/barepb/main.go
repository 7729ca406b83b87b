// Command barepb is the benchmark's PocketBase baseline: a bare PocketBase
// app with one extra collection, msgs (room, body), whose list and create
// rules only require a signed-in user. Its record create route and its
// built-in filtered realtime subscription ("msgs/*" with a room='…' filter)
// are what Hearth's action route and room topic are compared with.
//
//	barepb seed --dir DIR --users N   creates N users, prints their tokens as JSON
//	barepb serve --http ADDR --dir DIR
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"
)

func init() {
	m.Register(func(app core.App) error {
		msgs := core.NewBaseCollection("msgs")
		msgs.Fields.Add(
			&core.TextField{Name: "room", Required: true, Max: 100},
			&core.TextField{Name: "body", Max: 20000},
			&core.AutodateField{Name: "created", OnCreate: true},
		)
		signedIn := types.Pointer(`@request.auth.id != ""`)
		msgs.ListRule = signedIn
		msgs.ViewRule = signedIn
		msgs.CreateRule = signedIn
		msgs.AddIndex("idx_msgs_room", false, "room", "")
		return app.Save(msgs)
	}, func(app core.App) error {
		msgs, err := app.FindCollectionByNameOrId("msgs")
		if err != nil {
			return err
		}
		return app.Delete(msgs)
	})
}

// Person is one seeded user and its auth token.
type Person struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

func main() {
	app := pocketbase.New()
	app.RootCmd.AddCommand(newSeedCommand(app))
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}

func newSeedCommand(app *pocketbase.PocketBase) *cobra.Command {
	var count int
	command := &cobra.Command{
		Use:   "seed",
		Short: "Create signed-in users and print their ids and tokens as JSON",
		RunE: func(command *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("run migrations: %w", err)
			}
			people, err := seedUsers(app, count)
			if err != nil {
				return err
			}
			return json.NewEncoder(os.Stdout).Encode(people)
		},
	}
	command.Flags().IntVar(&count, "users", 100, "number of users to create")
	return command
}

func seedUsers(app core.App, count int) ([]Person, error) {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return nil, err
	}
	// Every user shares one hash at the lowest cost, because no one signs in
	// with a password here and hashing thousands at the default cost would
	// take minutes.
	hash, err := bcrypt.GenerateFromPassword([]byte("benchmark-password"), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	people := make([]Person, 0, count)
	err = app.RunInTransaction(func(tx core.App) error {
		for i := range count {
			user := core.NewRecord(users)
			user.SetEmail(fmt.Sprintf("user%d@example.com", i))
			user.SetRaw(core.FieldNamePassword, &core.PasswordFieldValue{Hash: string(hash)})
			if err := tx.Save(user); err != nil {
				return fmt.Errorf("create user %d: %w", i, err)
			}
			token, err := user.NewAuthToken()
			if err != nil {
				return err
			}
			people = append(people, Person{ID: user.Id, Token: token})
		}
		return nil
	})
	return people, err
}
