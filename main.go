// Command hearth runs Hearth: PocketBase with Hearth's collections, hooks and
// web client. Besides PocketBase's own commands (serve, superuser, migrate)
// it has "demo", which seeds a demo study and serves it, and "schema", which
// writes collections.json.
package main

import (
	"log"
	"os"

	"github.com/hearth-research/hearth/hooks"
	_ "github.com/hearth-research/hearth/migrations"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
)

func main() {
	setGCTarget()

	app := pocketbase.New()

	config, err := hooks.LoadConfig()
	if err != nil {
		log.Fatalf("invalid configuration: %v", err)
	}

	// Migrations are Go files; automigrate stays off so that admin UI edits to
	// collections never write migration files into a deployment.
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{Automigrate: false})

	hooks.Register(app, config)

	// The web client, with its Content-Security-Policy (hooks/web_client.go).
	hooks.BindWebClient(app, os.DirFS("./pb_public"))

	app.RootCmd.AddCommand(newDemoCommand(app), newSchemaCommand(app), newExportCommand(app))

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
