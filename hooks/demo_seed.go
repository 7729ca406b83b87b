package hooks

import (
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

// DemoStudy describes what SeedDemo created, for printing.
type DemoStudy struct {
	AlreadySeeded     bool
	SuperuserEmail    string
	SuperuserPassword string
	People            []DemoPerson
}

// DemoPerson is one enrolled demo person and how they sign in.
type DemoPerson struct {
	Phone, LastName, Alias, Role string
}

// demoPeople uses numbers from the 555-01xx block, which North American
// numbering reserves for fiction and never assigns.
var demoPeople = []DemoPerson{
	{"+12015550100", "Okafor", "Dr. Rivera", "therapist"},
	{"+12015550101", "Müller", "Sam", "participant"},
	{"+12015550102", "O'Brien", "P102", "participant"},
	{"+12015550103", "García", "Jo", "participant"},
	{"+12015550104", "Nguyen", "P104", "participant"},
}

// SeedDemo fills an empty database with a demo study: a superuser for the
// admin UI, a therapist, four participants, an open session and a past one,
// each with assessments. It does nothing when any users record exists.
func SeedDemo(app core.App) (DemoStudy, error) {
	var study DemoStudy
	existing, err := app.CountRecords("users")
	if err != nil {
		return study, err
	}
	if existing > 0 {
		study.AlreadySeeded = true
		study.People = demoPeople
		return study, nil
	}

	err = app.RunInTransaction(func(tx core.App) error {
		superusers, err := tx.FindCachedCollectionByNameOrId(core.CollectionNameSuperusers)
		if err != nil {
			return err
		}
		study.SuperuserEmail = "staff@example.com"
		study.SuperuserPassword = security.RandomString(16)
		superuser := core.NewRecord(superusers)
		superuser.SetEmail(study.SuperuserEmail)
		superuser.SetPassword(study.SuperuserPassword)
		if err := tx.Save(superuser); err != nil {
			return fmt.Errorf("create superuser: %w", err)
		}

		users, err := tx.FindCachedCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		var therapistIDs, participantIDs []string
		for _, person := range demoPeople {
			user := core.NewRecord(users)
			user.Set("phone", person.Phone)
			user.Set("last_name", person.LastName)
			user.Set("alias", person.Alias)
			user.Set("role", person.Role)
			if err := tx.Save(user); err != nil {
				return fmt.Errorf("create %s: %w", person.Alias, err)
			}
			if person.Role == "therapist" {
				therapistIDs = append(therapistIDs, user.Id)
			} else {
				participantIDs = append(participantIDs, user.Id)
			}
		}

		now := time.Now().UTC()
		past, err := createDemoSession(tx, "Week 1: Getting started", "closed",
			now.AddDate(0, 0, -7), therapistIDs, participantIDs)
		if err != nil {
			return err
		}
		if err := createDemoAssessment(tx, past, "post-session survey", "survey", "after", false); err != nil {
			return err
		}

		current, err := createDemoSession(tx, "Week 2: Coping with stress", "open",
			now.Add(-10*time.Minute), therapistIDs, participantIDs)
		if err != nil {
			return err
		}
		if err := createDemoAssessment(tx, current, "location", "location", "before", true); err != nil {
			return err
		}
		return createDemoAssessment(tx, current, "post-session survey", "survey", "after", false)
	})
	study.People = demoPeople
	return study, err
}

func createDemoSession(app core.App, name, status string, startsAt time.Time, therapists, participants []string) (*core.Record, error) {
	collection, err := app.FindCachedCollectionByNameOrId("therapy_sessions")
	if err != nil {
		return nil, err
	}
	session := core.NewRecord(collection)
	session.Set("name", name)
	session.Set("description", "A demo group session.")
	start, _ := types.ParseDateTime(startsAt)
	end, _ := types.ParseDateTime(startsAt.Add(90 * time.Minute))
	session.Set("starts_at", start)
	session.Set("ends_at", end)
	session.Set("status", status)
	session.Set("therapists", therapists)
	session.Set("participants", participants)
	return session, app.Save(session)
}

func createDemoAssessment(app core.App, session *core.Record, name, kind, timing string, required bool) error {
	collection, err := app.FindCachedCollectionByNameOrId("assessments")
	if err != nil {
		return err
	}
	assessment := core.NewRecord(collection)
	assessment.Set("therapy_session", session.Id)
	assessment.Set("name", name)
	assessment.Set("kind", kind)
	assessment.Set("timing", timing)
	assessment.Set("required_to_enter", required)
	if kind == "survey" {
		assessment.Set("url", "https://surveys.example.org/s/demo?participant={participant}&session={session}")
	}
	return app.Save(assessment)
}

// Instructions returns what to print after seeding: where to open the app
// and how each demo person signs in.
func (s DemoStudy) Instructions(baseURL string) string {
	var b strings.Builder
	b.WriteString("\nHearth demo study\n=================\n")
	if s.AlreadySeeded {
		b.WriteString("The data folder already had people in it, so nothing was seeded. Sign in to the admin UI\n" +
			"with the superuser printed on the first run, or make one with ./hearth superuser upsert EMAIL PASSWORD.\n")
	} else {
		fmt.Fprintf(&b, "Admin UI: %s/_/  (superuser %s, password %s)\n", baseURL, s.SuperuserEmail, s.SuperuserPassword)
	}
	fmt.Fprintf(&b, "Web client: %s/\nSign in with a phone and last name below; the code is printed in this log.\n", baseURL)
	for _, p := range s.People {
		fmt.Fprintf(&b, "  %-12s %-11s phone %s  last name %s\n", p.Alias, p.Role, p.Phone, p.LastName)
	}
	b.WriteString("\n")
	return b.String()
}
