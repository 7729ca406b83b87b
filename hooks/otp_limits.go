package hooks

import (
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"
)

// limitError is a code request refused by a limit.
type limitError struct {
	retryAfter time.Duration
	byClient   bool
}

func (err *limitError) Error() string {
	return fmt.Sprintf("code request limit reached, retry after %s", err.retryAfter)
}

// apiError returns the 429 response, with the whole seconds to wait in
// data.retryAfter and in the Retry-After header.
func (err *limitError) apiError(e *core.RequestEvent) *router.ApiError {
	seconds := int(math.Ceil(err.retryAfter.Seconds()))
	seconds = max(seconds, 1)
	message := fmt.Sprintf("A code was requested for this phone number recently. Wait %d seconds and try again.", seconds)
	if err.byClient {
		message = fmt.Sprintf("Too many codes were requested from this network. Wait %d seconds and try again.", seconds)
	}
	e.Response.Header().Set("Retry-After", fmt.Sprint(seconds))
	apiErr := e.TooManyRequestsError(message, err)
	apiErr.Data = map[string]any{"retryAfter": seconds}
	return apiErr
}

// reserveCodeRequest applies the per-phone and per-client limits and, if
// they allow it, records the request. Counting and recording run in one
// transaction, and PocketBase runs write transactions one at a time, so
// parallel requests cannot all see room under a limit. Requests for
// unknown numbers count exactly like those for enrolled ones.
func (h *Hearth) reserveCodeRequest(app core.App, request codeRequest) error {
	phoneLimits := []RateLimit{
		{Max: 1, Window: h.config.OTPCooldown},
		{Max: h.config.OTPHourlyMax, Window: time.Hour},
	}

	return app.RunInTransaction(func(tx core.App) error {
		now := time.Now()

		wait, err := waitForLimits(tx, dbx.HashExp{"phone": request.phone}, phoneLimits, now)
		if err != nil {
			return err
		}
		if wait > 0 {
			return &limitError{retryAfter: wait}
		}

		wait, err = waitForLimits(tx, dbx.HashExp{"client_ip": request.clientIP}, h.config.OTPClientLimits, now)
		if err != nil {
			return err
		}
		if wait > 0 {
			return &limitError{retryAfter: wait, byClient: true}
		}

		collection, err := tx.FindCachedCollectionByNameOrId("otp_requests")
		if err != nil {
			return err
		}
		record := core.NewRecord(collection)
		record.Set("phone", request.phone)
		record.Set("client_ip", request.clientIP)
		record.Set("otp_id", request.otpID)
		return tx.Save(record)
	})
}

// waitForLimits returns how long to wait until one more request matching
// filter fits under every limit, or 0 if it fits now.
func waitForLimits(app core.App, filter dbx.Expression, limits []RateLimit, now time.Time) (time.Duration, error) {
	var wait time.Duration
	for _, limit := range limits {
		since, err := types.ParseDateTime(now.Add(-limit.Window))
		if err != nil {
			return 0, err
		}
		var created []string
		err = app.DB().Select("created").From("otp_requests").
			Where(filter).
			AndWhere(dbx.NewExp("[[created]] > {:since}", dbx.Params{"since": since.String()})).
			OrderBy("created DESC").
			Limit(int64(limit.Max)).
			Column(&created)
		if err != nil {
			return 0, fmt.Errorf("count recent code requests: %w", err)
		}
		times := make([]time.Time, 0, len(created))
		for _, value := range created {
			stamp, err := types.ParseDateTime(value)
			if err != nil {
				return 0, fmt.Errorf("parse otp_requests.created %q: %w", value, err)
			}
			times = append(times, stamp.Time())
		}
		wait = max(wait, limitWait(times, limit, now))
	}
	return wait, nil
}

// limitWait returns how long from now until one more event fits under
// limit, given the times of earlier events, newest first. The window slides:
// an event counts until exactly Window after it happened.
func limitWait(newestFirst []time.Time, limit RateLimit, now time.Time) time.Duration {
	if len(newestFirst) < limit.Max {
		return 0
	}
	// The Max-th newest event must leave the window before another fits.
	return max(newestFirst[limit.Max-1].Add(limit.Window).Sub(now), 0)
}

// clientKey returns the key the per-client limits count by: the address
// for IPv4, and the /64 network for IPv6, since one IPv6 subscriber is
// usually given a whole /64 and can pick any address in it.
func clientKey(address string) string {
	ip, err := netip.ParseAddr(address)
	if err != nil {
		return address
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	prefix, err := ip.Prefix(64)
	if err != nil {
		return ip.String()
	}
	return prefix.String()
}
