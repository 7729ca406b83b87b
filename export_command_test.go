package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

func runExportCommand(t *testing.T, app core.App, args ...string) (string, error) {
	t.Helper()
	command := newExportCommand(app)
	var output bytes.Buffer
	command.SetOut(&output)
	command.SetErr(&output)
	command.SetArgs(args)
	err := command.Execute()
	return output.String(), err
}

func seedMessage(t *testing.T, app core.App, sessionID, userID, body string) {
	t.Helper()
	actions, err := app.FindCachedCollectionByNameOrId("actions")
	if err != nil {
		t.Fatal(err)
	}
	action := core.NewRecord(actions)
	action.Set("therapy_session", sessionID)
	action.Set("seq", 1)
	action.Set("type", "message")
	action.Set("user", userID)
	action.Set("alias", "Alice")
	action.Set("body", body)
	action.Set("character_history", body)
	if err := app.Save(action); err != nil {
		t.Fatal(err)
	}
}

func TestExportCommandWritesEveryTable(t *testing.T) {
	study := hearthtest.Fixture(t)
	app := hearthtest.NewApp(t)
	seedMessage(t, app, study.GroupA, study.Alice.ID, "Hello from the command line")
	dir := filepath.Join(t.TempDir(), "exports")

	output, err := runExportCommand(t, app, "--session", study.GroupA, "--format", "csv", "--out", dir)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, output)
	}
	for _, name := range []string{"sessions", "members", "actions", "attendance", "responses"} {
		path := filepath.Join(dir, name+".csv")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.HasPrefix(string(data), "session_id,") {
			t.Errorf("%s.csv: got header %q", name, strings.SplitN(string(data), "\n", 2)[0])
		}
		if !strings.Contains(output, path) {
			t.Errorf("output does not list %s:\n%s", path, output)
		}
		if info, err := os.Stat(path); err == nil && info.Mode().Perm() != 0o600 {
			t.Errorf("%s.csv: got mode %v, want 0600", name, info.Mode().Perm())
		}
	}
	actions, _ := os.ReadFile(filepath.Join(dir, "actions.csv"))
	if !strings.Contains(string(actions), "Hello from the command line") {
		t.Errorf("actions.csv lacks the seeded message:\n%s", actions)
	}

	entries, err := app.FindAllRecords("export_log")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("got %d export_log entries, want 1", len(entries))
	}
	if got := entries[0].GetString("source"); got != "command" {
		t.Errorf("export_log.source: got %q, want command", got)
	}
	if got := entries[0].GetString("command_user"); got == "" {
		t.Error("export_log.command_user: got empty")
	}
}

func TestExportCommandWritesStudyArchive(t *testing.T) {
	study := hearthtest.Fixture(t)
	app := hearthtest.NewApp(t)
	seedMessage(t, app, study.GroupB, study.Carol.ID, "Hi from B")
	path := filepath.Join(t.TempDir(), "study.zip")

	if output, err := runExportCommand(t, app, "--study", "--format", "zip", "--out", path); err != nil {
		t.Fatalf("export: %v\n%s", err, output)
	}
	archive, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer archive.Close()
	if len(archive.File) != 10 {
		t.Errorf("got %d files in the archive, want 10", len(archive.File))
	}
}

func TestExportCommandWritesOneTable(t *testing.T) {
	study := hearthtest.Fixture(t)
	app := hearthtest.NewApp(t)
	seedMessage(t, app, study.GroupB, study.Carol.ID, "Hi from B")
	path := filepath.Join(t.TempDir(), "actions.jsonl")

	if output, err := runExportCommand(t, app, "--study", "--format", "jsonl", "--table", "actions", "--out", path); err != nil {
		t.Fatalf("export: %v\n%s", err, output)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(data), "\n"); lines != 1 || !strings.Contains(string(data), `"body":"Hi from B"`) {
		t.Errorf("got %d lines:\n%s", lines, data)
	}
}

func TestExportCommandRejectsBadFlags(t *testing.T) {
	study := hearthtest.Fixture(t)
	out := filepath.Join(t.TempDir(), "out")
	cases := map[string][]string{
		"no scope":        {"--format", "zip", "--out", out},
		"both scopes":     {"--study", "--session", study.GroupA, "--format", "zip", "--out", out},
		"no output":       {"--study", "--format", "zip"},
		"unknown format":  {"--study", "--format", "xlsx", "--out", out},
		"unknown table":   {"--study", "--format", "csv", "--table", "users", "--out", out},
		"unknown session": {"--session", "abcdefghijklmno", "--format", "zip", "--out", out},
	}
	for name, args := range cases {
		app := hearthtest.NewApp(t)
		if _, err := runExportCommand(t, app, args...); err == nil {
			t.Errorf("%s: got no error", name)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: %s was written", name, out)
		}
		if count, _ := app.CountRecords("export_log"); count != 0 {
			t.Errorf("%s: got %d export_log entries, want 0", name, count)
		}
	}
}

func TestExportCommandLeavesNoFileOnFailure(t *testing.T) {
	study := hearthtest.Fixture(t)
	app := hearthtest.NewApp(t)
	// A client_ts that is not a date makes the export fail at that row.
	_, err := app.DB().Insert("actions", dbx.Params{"id": "corruptaction01", "therapy_session": study.GroupA,
		"seq": 1, "type": "message", "recipients": "[]", "client_ts": "not a date"}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	if _, err := runExportCommand(t, app, "--study", "--format", "zip", "--out", filepath.Join(dir, "study.zip")); err == nil {
		t.Error("export: got no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("got %d files in the output directory, want none", len(entries))
	}
}
