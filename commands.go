package main

import (
	"fmt"
	"os"

	"github.com/hearth-research/hearth/hooks"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/spf13/cobra"
)

// newDemoCommand returns "hearth demo": seed a demo study into an empty data
// folder, print how to sign in, and serve.
func newDemoCommand(app *pocketbase.PocketBase) *cobra.Command {
	var httpAddr string
	command := &cobra.Command{
		Use:   "demo",
		Short: "Seed a demo study (on an empty data folder) and start the server",
		RunE: func(command *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("run migrations: %w", err)
			}
			study, err := hooks.SeedDemo(app)
			if err != nil {
				return fmt.Errorf("seed demo study: %w", err)
			}
			fmt.Fprint(os.Stdout, study.Instructions("http://"+httpAddr))
			return apis.Serve(app, apis.ServeConfig{HttpAddr: httpAddr, ShowStartBanner: true})
		},
	}
	command.Flags().StringVar(&httpAddr, "http", "127.0.0.1:8090", "TCP address to listen on")
	return command
}

// newSchemaCommand returns "hearth schema": write the collections the
// migrations build, as PocketBase's import/export JSON, to collections.json.
func newSchemaCommand(app *pocketbase.PocketBase) *cobra.Command {
	var output string
	command := &cobra.Command{
		Use:   "schema",
		Short: "Write the schema the migrations build to collections.json",
		RunE: func(command *cobra.Command, args []string) error {
			data, err := hooks.ExportSchema()
			if err != nil {
				return err
			}
			return os.WriteFile(output, data, 0o644)
		},
	}
	command.Flags().StringVarP(&output, "output", "o", "collections.json", "file to write")
	return command
}
