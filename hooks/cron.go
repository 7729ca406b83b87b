package hooks

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/robfig/cron/v3"
)

// cronKey is the app store key of Hearth's job scheduler.
const cronKey = "hearthCron"

// otpRequestRetention is how long code requests are kept. The limits look
// back one hour and code tries five minutes; the rest is for staff.
const otpRequestRetention = 24 * time.Hour

// idleSweepBatch is how many idle sign-in sessions one query fetches.
const idleSweepBatch = 200

// bindCron creates Hearth's job scheduler with the idle-session sweep,
// starts it when the app serves and stops it when the app terminates.
// Every job recovers from panics, which are logged, and a run is skipped
// while the previous run of the same job is still going.
func (h *Hearth) bindCron() {
	logger := cronLogger{app: h.app}
	// SkipIfStillRunning must wrap Recover: it frees its slot only when the
	// job returns, so a panic escaping to it would skip the job forever.
	scheduler := cron.New(
		cron.WithLogger(logger),
		cron.WithChain(cron.SkipIfStillRunning(logger), cron.Recover(logger)),
	)
	h.app.Store().Set(cronKey, scheduler)

	sweepSpec := fmt.Sprintf("@every %s", h.config.IdleSweepInterval)
	if err := h.AddCronJob(sweepSpec, h.sweep); err != nil {
		panic(fmt.Errorf("schedule the idle-session sweep: %w", err))
	}

	h.app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		scheduler.Start() // does nothing when already running
		return se.Next()
	})
	h.app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		<-scheduler.Stop().Done()
		return e.Next()
	})
}

// AddCronJob adds job to Hearth's scheduler, to run on spec: a cron line
// such as "0 3 * * *" or a descriptor such as "@every 5m". Jobs run from
// when the app serves until it terminates; a panic in one is logged and
// leaves the server and the other jobs running.
func (h *Hearth) AddCronJob(spec string, job func()) error {
	scheduler, _ := h.app.Store().Get(cronKey).(*cron.Cron)
	if scheduler == nil {
		return fmt.Errorf("no job scheduler is bound to the app")
	}
	_, err := scheduler.AddFunc(spec, job)
	return err
}

// sweep is the periodic job: it ends idle sign-in sessions and deletes
// old code requests.
func (h *Hearth) sweep() {
	h.endIdleSignInSessions(h.app, time.Now())
	if err := pruneOTPRequests(h.app, time.Now()); err != nil {
		h.app.Logger().Error("Failed to delete old code requests", "error", err)
	}
}

// endIdleSignInSessions ends every live sign-in session whose last
// activity is older than the idle timeout, with reason EndIdle, so that
// the end listeners close attendance and drop realtime delivery.
// Requests with an idle session are refused even before this runs.
func (h *Hearth) endIdleSignInSessions(app core.App, now time.Time) {
	cutoff, err := types.ParseDateTime(now.Add(-h.config.IdleTimeout))
	if err != nil {
		app.Logger().Error("Failed to compute the idle cutoff", "error", err)
		return
	}
	for {
		idle, err := app.FindRecordsByFilter("sign_in_sessions",
			"ended_at = '' && last_activity_at < {:cutoff}", "last_activity_at", idleSweepBatch, 0,
			dbx.Params{"cutoff": cutoff.String()})
		if err != nil {
			app.Logger().Error("Failed to find idle sign-in sessions", "error", err)
			return
		}
		for _, signIn := range idle {
			if err := h.EndSignInSession(app, signIn, EndIdle); err != nil {
				// Stop here: the next run retries, and a session that cannot
				// be ended must not make this loop spin.
				app.Logger().Error("Failed to end an idle sign-in session", "error", err, "signInSessionId", signIn.Id)
				return
			}
		}
		if len(idle) < idleSweepBatch {
			return
		}
	}
}

// pruneOTPRequests deletes code requests older than otpRequestRetention.
// It is one SQL delete that skips record hooks and realtime on purpose:
// there may be many rows after an attack, and nothing listens to them.
func pruneOTPRequests(app core.App, now time.Time) error {
	cutoff, err := types.ParseDateTime(now.Add(-otpRequestRetention))
	if err != nil {
		return err
	}
	_, err = app.NonconcurrentDB().Delete("otp_requests",
		dbx.NewExp("[[created]] < {:cutoff}", dbx.Params{"cutoff": cutoff.String()}),
	).Execute()
	return err
}

// cronLogger passes the scheduler's messages to the app logger: routine
// ones at debug level, errors (including recovered panics) as errors.
type cronLogger struct {
	app core.App
}

// Info logs routine scheduler events at debug level.
func (l cronLogger) Info(message string, keysAndValues ...any) {
	l.app.Logger().Debug("Cron: "+message, keysAndValues...)
}

// Error logs a failed or panicking job.
func (l cronLogger) Error(err error, message string, keysAndValues ...any) {
	l.app.Logger().Error("Cron job failed: "+message, append([]any{"error", err}, keysAndValues...)...)
}
