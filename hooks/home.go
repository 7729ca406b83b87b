package hooks

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// bindHome binds the home page, the assessment routes, the location
// check-in, the record hooks that keep one assessment_responses row per
// assessment and participant, and the survey completion webhooks. The
// webhook routes exist only when HEARTH_WEBHOOK_SECRET is set, so without it
// they return 404.
func (h *Hearth) bindHome() {
	h.bindAssessmentRecords()

	h.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		signedIn := apis.RequireAuth("users")

		se.Router.GET("/api/me/therapy-sessions", h.handleHomePage).Bind(signedIn)
		se.Router.GET("/api/therapy-sessions/{id}/assessments", h.handleSessionAssessments).Bind(signedIn)
		se.Router.POST("/api/therapy-sessions/{id}/assessments/{assessmentId}/check-in", h.handleCheckIn).Bind(signedIn)

		if h.config.WebhookSecret != "" {
			se.Router.Bind(&hook.Handler[*core.RequestEvent]{
				Id:       "hearthHideWebhookSecret",
				Priority: apis.DefaultActivityLoggerMiddlewarePriority + 1,
				Func:     hideSecretFromRequestLog,
			})
			se.Router.POST("/api/webhooks/redcap", h.handleREDCapWebhook)
			se.Router.POST("/api/webhooks/survey", h.handleSurveyWebhook)
		}
		return se.Next()
	})
}
