package hooks_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hearth-research/hearth/internal/hearthtest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// BenchmarkHomePage measures GET /api/me/therapy-sessions, through the
// router and the sign-in middleware, for a participant of 300 weekly
// sessions with 8 assessments each (2,400 responses of their own, 9,600 in
// all, half of them complete).
func BenchmarkHomePage(b *testing.B) {
	const sessionCount, assessmentsPerSession = 300, 8
	study := hearthtest.Fixture(b)
	app := hearthtest.NewApp(b)

	b.Logf("seeding %d sessions", sessionCount)
	err := app.RunInTransaction(func(tx core.App) error {
		sessions, err := tx.FindCollectionByNameOrId("therapy_sessions")
		if err != nil {
			return err
		}
		participants := []string{study.Alice.ID, study.Bob.ID, study.Carol.ID, study.Dave.ID}
		for i := range sessionCount {
			session := core.NewRecord(sessions)
			session.Set("name", fmt.Sprintf("Week %d", i+1))
			session.Set("status", "closed")
			start, _ := types.ParseDateTime(time.Now().AddDate(0, 0, -7*(i+1)))
			session.Set("starts_at", start)
			session.Set("therapists", []string{study.Therapist.ID})
			session.Set("participants", participants)
			if err := tx.Save(session); err != nil {
				return err
			}
			for j := range assessmentsPerSession {
				timing := "after"
				if j%2 == 0 {
					timing = "before"
				}
				addAssessment(b, tx, "", session.Id, fmt.Sprintf("survey %d", j), "survey", timing,
					"https://survey.example.org/s?p={participant}&s={session}&a={assessment}", false)
			}
		}
		// A plain update is enough here: no hook needs to see these changes.
		_, err = tx.DB().NewQuery(`UPDATE assessment_responses SET status = 'complete',
			completed_at = {:now} WHERE rowid % 2 = 0`).Bind(dbx.Params{"now": types.NowDateTime().String()}).Execute()
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if count, _ := app.CountRecords("assessment_responses"); count != sessionCount*assessmentsPerSession*4 {
		b.Fatalf("responses: got %d, want %d", count, sessionCount*assessmentsPerSession*4)
	}

	router, err := apis.NewRouter(app)
	if err != nil {
		b.Fatal(err)
	}
	serveEvent := &core.ServeEvent{App: app, Router: router}
	err = app.OnServe().Trigger(serveEvent, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		if err != nil {
			return err
		}
		b.ResetTimer()
		for b.Loop() {
			request := httptest.NewRequest(http.MethodGet, "/api/me/therapy-sessions", nil)
			request.Header.Set("Authorization", study.Alice.Token)
			recorder := httptest.NewRecorder()
			mux.ServeHTTP(recorder, request)
			if recorder.Code != http.StatusOK {
				b.Fatalf("status %d: %s", recorder.Code, recorder.Body)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
