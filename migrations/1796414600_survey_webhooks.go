package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Survey completion webhooks: assessments name the REDCap form (and event)
// that completes them, and every webhook delivery leaves a row that staff
// can read in the admin UI.
func init() {
	m.Register(func(app core.App) error {
		assessments, err := app.FindCollectionByNameOrId("assessments")
		if err != nil {
			return err
		}
		// REDCap builds unique instrument and event names from lowercase
		// letters, digits and underscores. Hidden because only staff and the
		// webhook need them.
		assessments.Fields.Add(
			&core.TextField{Name: "redcap_instrument", Hidden: true, Max: 100, Pattern: `^[a-z0-9_]+$`},
			&core.TextField{Name: "redcap_event", Hidden: true, Max: 100, Pattern: `^[a-z0-9_]+$`},
		)
		assessments.AddIndex("idx_assessments_redcap_instrument", false, "`redcap_instrument`", "`redcap_instrument` != ''")
		if err := app.Save(assessments); err != nil {
			return err
		}

		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		webhookLog := core.NewBaseCollection("survey_webhook_log")
		webhookLog.Fields.Add(
			&core.SelectField{Name: "source", Required: true, MaxSelect: 1, Values: []string{"redcap", "json"}},
			&core.SelectField{Name: "outcome", Required: true, MaxSelect: 1, Values: []string{
				"completed", "already_complete", "not_complete", "unknown_participant",
				"unknown_assessment", "ambiguous", "invalid", "unauthorized",
			}},
			// The ids as the survey tool sent them, so that staff can fix a
			// mapping that matched nothing.
			&core.TextField{Name: "record", Max: 100},
			&core.TextField{Name: "instrument", Max: 100},
			&core.TextField{Name: "event", Max: 100},
			&core.RelationField{Name: "participant", CollectionId: users.Id, MaxSelect: 1},
			&core.RelationField{Name: "assessment", CollectionId: assessments.Id, MaxSelect: 1},
			&core.TextField{Name: "detail", Max: 500},
			&core.TextField{Name: "client_ip", Max: 64},
			&core.AutodateField{Name: "created", OnCreate: true},
		)
		webhookLog.AddIndex("idx_survey_webhook_log_created", false, "`created`", "")
		return app.Save(webhookLog)
	}, func(app core.App) error {
		if webhookLog, err := app.FindCollectionByNameOrId("survey_webhook_log"); err == nil {
			if err := app.Delete(webhookLog); err != nil {
				return err
			}
		}
		assessments, err := app.FindCollectionByNameOrId("assessments")
		if err != nil {
			return err
		}
		assessments.RemoveIndex("idx_assessments_redcap_instrument")
		assessments.Fields.RemoveByName("redcap_instrument")
		assessments.Fields.RemoveByName("redcap_event")
		return app.Save(assessments)
	})
}
