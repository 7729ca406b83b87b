// Package migrations defines Hearth's database schema as PocketBase Go
// migrations. They run automatically on serve and in the test app.
package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// memberRule matches a request by a therapist or participant of the record's
// therapy session; prefix is the path from the record to the session. The
// ".id" matters: on a multiple relation, "participants ?= x" compares the
// whole stored list, not each of its items.
func memberRule(prefix string) *string {
	return types.Pointer(`@request.auth.collectionName = "users" && (` +
		prefix + `participants.id ?= @request.auth.id || ` + prefix + `therapists.id ?= @request.auth.id)`)
}

func init() {
	m.Register(func(app core.App) error {
		users, err := extendUsers(app)
		if err != nil {
			return err
		}
		sessions, err := createTherapySessions(app, users)
		if err != nil {
			return err
		}
		if err := createAssessments(app, users, sessions); err != nil {
			return err
		}
		if err := createActions(app, users, sessions); err != nil {
			return err
		}
		signIns, err := createSignInSessions(app, users, sessions)
		if err != nil {
			return err
		}
		if err := createAttendance(app, users, sessions, signIns); err != nil {
			return err
		}
		return createSMSTables(app, users)
	}, func(app core.App) error {
		for _, name := range []string{
			"otp_requests", "sms_log", "attendance", "sign_in_sessions", "actions",
			"assessment_responses", "assessments", "therapy_sessions",
		} {
			collection, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				continue
			}
			if err := app.Delete(collection); err != nil {
				return err
			}
		}
		return nil
	})
}

// extendUsers turns PocketBase's default users collection into Hearth's people:
// enrolled by staff, signed in only by an SMS code, and known to each other only
// by alias.
func extendUsers(app core.App) (*core.Collection, error) {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return nil, err
	}

	users.Fields.RemoveByName("name")
	users.Fields.RemoveByName("avatar")
	if email, ok := users.Fields.GetByName("email").(*core.EmailField); ok {
		email.Required = false
	}

	users.Fields.Add(
		&core.TextField{Name: "phone", Required: true, Hidden: true, Max: 16, Pattern: `^\+[1-9][0-9]{6,14}$`},
		&core.TextField{Name: "last_name", Required: true, Hidden: true, Max: 100},
		&core.TextField{Name: "alias", Required: true, Max: 40},
		&core.SelectField{Name: "role", Required: true, MaxSelect: 1, Values: []string{"participant", "therapist"}},
		&core.TextField{Name: "external_id", Hidden: true, Max: 100},
	)
	users.AddIndex("idx_users_phone", true, "`phone`", "")
	users.AddIndex("idx_users_external_id", true, "`external_id`", "`external_id` != ''")

	users.ListRule = types.Pointer("id = @request.auth.id")
	users.ViewRule = types.Pointer("id = @request.auth.id")
	users.CreateRule = nil
	users.UpdateRule = nil
	users.DeleteRule = nil
	users.ManageRule = nil
	users.AuthRule = types.Pointer("")

	users.PasswordAuth.Enabled = false
	users.OAuth2.Enabled = false
	users.MFA.Enabled = false
	users.OTP.Enabled = true
	users.OTP.Duration = 300
	users.OTP.Length = 6

	return users, app.Save(users)
}

func createTherapySessions(app core.App, users *core.Collection) (*core.Collection, error) {
	sessions := core.NewBaseCollection("therapy_sessions")
	sessions.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 200},
		&core.TextField{Name: "description", Max: 5000},
		&core.DateField{Name: "starts_at", Required: true},
		&core.DateField{Name: "ends_at"},
		&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"scheduled", "open", "closed"}},
		&core.RelationField{Name: "therapists", CollectionId: users.Id, MaxSelect: 20},
		&core.RelationField{Name: "participants", CollectionId: users.Id, MaxSelect: 100},
		&core.TextField{Name: "whiteboard", Max: 20000},
		// Participants removed from the live session by a therapist; they cannot
		// enter again until readmitted.
		&core.RelationField{Name: "removed_participants", CollectionId: users.Id, MaxSelect: 100, Hidden: true},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	sessions.AddIndex("idx_therapy_sessions_starts_at", false, "`starts_at`", "")
	sessions.ListRule = memberRule("")
	sessions.ViewRule = memberRule("")
	return sessions, app.Save(sessions)
}

func createAssessments(app core.App, users, sessions *core.Collection) error {
	assessments := core.NewBaseCollection("assessments")
	assessments.Fields.Add(
		&core.RelationField{Name: "therapy_session", Required: true, CollectionId: sessions.Id, MaxSelect: 1, CascadeDelete: true},
		&core.TextField{Name: "name", Required: true, Max: 200},
		&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: []string{"survey", "location"}},
		&core.SelectField{Name: "timing", Required: true, MaxSelect: 1, Values: []string{"before", "after"}},
		// The survey link template. Hidden because a participant who knew the
		// template and another participant's id could open that person's survey.
		&core.TextField{Name: "url", Hidden: true, Max: 2000},
		&core.BoolField{Name: "required_to_enter"},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	assessments.AddIndex("idx_assessments_therapy_session", false, "`therapy_session`", "")
	assessments.ListRule = memberRule("therapy_session.")
	assessments.ViewRule = memberRule("therapy_session.")
	if err := app.Save(assessments); err != nil {
		return err
	}

	responses := core.NewBaseCollection("assessment_responses")
	responses.Fields.Add(
		&core.RelationField{Name: "assessment", Required: true, CollectionId: assessments.Id, MaxSelect: 1, CascadeDelete: true},
		&core.RelationField{Name: "participant", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
		&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"incomplete", "complete"}},
		&core.DateField{Name: "completed_at"},
		&core.TextField{Name: "answer", Max: 500},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	responses.AddIndex("idx_assessment_responses_unique", true, "`assessment`, `participant`", "")
	responses.AddIndex("idx_assessment_responses_participant", false, "`participant`", "")
	ownOrTherapist := types.Pointer(`@request.auth.collectionName = "users" && ` +
		`(participant = @request.auth.id || assessment.therapy_session.therapists.id ?= @request.auth.id)`)
	responses.ListRule = ownOrTherapist
	responses.ViewRule = ownOrTherapist
	return app.Save(responses)
}

// createActions creates the session event log. Its API rules stay superuser
// only: members read it through the room routes and the realtime topic, which
// apply the per-viewer privacy rules that a collection rule cannot express.
func createActions(app core.App, users, sessions *core.Collection) error {
	actions := core.NewBaseCollection("actions")
	actions.Fields.Add(
		&core.RelationField{Name: "therapy_session", Required: true, CollectionId: sessions.Id, MaxSelect: 1, CascadeDelete: true},
		&core.NumberField{Name: "seq", Required: true, OnlyInt: true, Min: types.Pointer(1.0)},
		&core.SelectField{Name: "type", Required: true, MaxSelect: 1, Values: []string{
			"message", "delete", "notice", "message_read", "reaction", "whiteboard",
		}},
		&core.RelationField{Name: "user", CollectionId: users.Id, MaxSelect: 1},
		&core.TextField{Name: "alias", Max: 40},
		&core.TextField{Name: "body", Max: 20000},
		&core.RelationField{Name: "recipients", CollectionId: users.Id, MaxSelect: 100},
		&core.NumberField{Name: "target", OnlyInt: true},
		&core.TextField{Name: "icon", Max: 20},
		&core.BoolField{Name: "remove"},
		&core.SelectField{Name: "sender", MaxSelect: 1, Values: []string{"system", "therapist"}},
		&core.TextField{Name: "client_id", Max: 100},
		&core.DateField{Name: "client_ts"},
		&core.NumberField{Name: "time_to_complete", Hidden: true, Min: types.Pointer(0.0)},
		&core.TextField{Name: "character_history", Hidden: true, Max: 65536},
		&core.BoolField{Name: "history_replays", Hidden: true},
		&core.BoolField{Name: "deleted"},
		&core.TextField{Name: "original_body", Hidden: true, Max: 20000},
		&core.AutodateField{Name: "created", OnCreate: true},
	)
	actions.AddIndex("idx_actions_session_seq", true, "`therapy_session`, `seq`", "")
	actions.AddIndex("idx_actions_user_client_id", true, "`user`, `client_id`", "`client_id` != ''")
	return app.Save(actions)
}

func createSignInSessions(app core.App, users, sessions *core.Collection) (*core.Collection, error) {
	signIns := core.NewBaseCollection("sign_in_sessions")
	signIns.Fields.Add(
		&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
		&core.DateField{Name: "authenticated_at", Required: true},
		&core.DateField{Name: "last_activity_at", Required: true},
		&core.RelationField{Name: "therapy_session", CollectionId: sessions.Id, MaxSelect: 1},
		&core.DateField{Name: "ended_at"},
		&core.SelectField{Name: "end_reason", MaxSelect: 1, Values: []string{"logout", "idle", "staff"}},
		&core.AutodateField{Name: "created", OnCreate: true},
	)
	signIns.AddIndex("idx_sign_in_sessions_user", false, "`user`", "")
	signIns.AddIndex("idx_sign_in_sessions_live", false, "`last_activity_at`", "`ended_at` = ''")
	return signIns, app.Save(signIns)
}

func createAttendance(app core.App, users, sessions, signIns *core.Collection) error {
	attendance := core.NewBaseCollection("attendance")
	attendance.Fields.Add(
		&core.RelationField{Name: "therapy_session", Required: true, CollectionId: sessions.Id, MaxSelect: 1, CascadeDelete: true},
		&core.RelationField{Name: "user", Required: true, CollectionId: users.Id, MaxSelect: 1, CascadeDelete: true},
		&core.RelationField{Name: "sign_in_session", CollectionId: signIns.Id, MaxSelect: 1},
		&core.DateField{Name: "entered_at", Required: true},
		&core.DateField{Name: "left_at"},
		&core.SelectField{Name: "left_reason", MaxSelect: 1, Values: []string{
			"left", "logout", "idle", "removed", "closed", "entered_again",
		}},
		&core.AutodateField{Name: "created", OnCreate: true},
	)
	attendance.AddIndex("idx_attendance_session_user", false, "`therapy_session`, `user`", "")
	attendance.AddIndex("idx_attendance_open", false, "`therapy_session`", "`left_at` = ''")
	return app.Save(attendance)
}

func createSMSTables(app core.App, users *core.Collection) error {
	smsLog := core.NewBaseCollection("sms_log")
	smsLog.Fields.Add(
		&core.RelationField{Name: "user", CollectionId: users.Id, MaxSelect: 1},
		&core.TextField{Name: "to", Required: true, Max: 16},
		&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"sent", "failed", "console"}},
		&core.TextField{Name: "twilio_sid", Max: 64},
		&core.NumberField{Name: "error_code", OnlyInt: true},
		&core.TextField{Name: "error_message", Max: 500},
		&core.AutodateField{Name: "created", OnCreate: true},
	)
	smsLog.AddIndex("idx_sms_log_created", false, "`created`", "")
	if err := app.Save(smsLog); err != nil {
		return err
	}

	// One row per accepted code request, enrolled phone or not, so that the
	// send limits survive restarts and count unknown numbers like known ones.
	requests := core.NewBaseCollection("otp_requests")
	requests.Fields.Add(
		&core.TextField{Name: "phone", Required: true, Max: 16},
		&core.TextField{Name: "client_ip", Max: 64},
		&core.TextField{Name: "otp_id", Max: 32},
		&core.NumberField{Name: "failed_attempts", OnlyInt: true},
		&core.AutodateField{Name: "created", OnCreate: true},
	)
	requests.AddIndex("idx_otp_requests_phone", false, "`phone`, `created`", "")
	requests.AddIndex("idx_otp_requests_client_ip", false, "`client_ip`, `created`", "")
	requests.AddIndex("idx_otp_requests_otp_id", false, "`otp_id`", "")
	return app.Save(requests)
}
