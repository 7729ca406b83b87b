package sms

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/twilio/twilio-go"
	twilioclient "github.com/twilio/twilio-go/client"
	twilioapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// Twilio error codes that get a Kind of their own. The full list is at
// https://www.twilio.com/docs/api/errors.
const (
	twilioCodeInvalidTo        = 21211
	twilioCodeRegionNotEnabled = 21408
	twilioCodeOptedOut         = 21610
)

// DefaultTwilioTimeout bounds one request to Twilio when TwilioConfig leaves
// Timeout at zero.
const DefaultTwilioTimeout = 10 * time.Second

// TwilioConfig holds what TwilioSender needs.
type TwilioConfig struct {
	AccountSID string
	AuthToken  string
	// From is the sending number in E.164, or a Messaging Service SID
	// ("MG…"), in which case Twilio picks the number from the service.
	From string
	// APIURL replaces Twilio's base URL (https://api.twilio.com) when set,
	// for tests against a local fake and for egress proxies.
	APIURL string
	// Timeout bounds one request, DefaultTwilioTimeout when zero.
	Timeout time.Duration
}

// TwilioSender sends messages with Twilio's Programmable Messaging API
// through the official twilio-go client.
type TwilioSender struct {
	client *twilio.RestClient
	from   string
}

// NewTwilioSender returns a sender for config, or an error if a setting is
// missing or malformed.
func NewTwilioSender(config TwilioConfig) (*TwilioSender, error) {
	if config.AccountSID == "" || config.AuthToken == "" {
		return nil, errors.New("twilio account SID and auth token are both required")
	}
	if config.From == "" {
		return nil, errors.New("twilio sender (a number or a Messaging Service SID) is required")
	}
	timeout := config.Timeout
	if timeout <= 0 {
		timeout = DefaultTwilioTimeout
	}

	base := &twilioclient.Client{
		Credentials: twilioclient.NewCredentials(config.AccountSID, config.AuthToken),
		HTTPClient: &http.Client{
			Timeout: timeout,
			// Twilio's API does not redirect; a redirect comes from something
			// else in the path and is reported rather than followed.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	base.SetAccountSid(config.AccountSID)

	var baseClient twilioclient.BaseClient = base
	if config.APIURL != "" {
		apiURL, err := url.Parse(config.APIURL)
		if err != nil || (apiURL.Scheme != "http" && apiURL.Scheme != "https") || apiURL.Host == "" {
			return nil, fmt.Errorf("twilio API URL %q is not an http or https URL", config.APIURL)
		}
		baseClient = &rebasedClient{Client: base, apiURL: apiURL}
	}

	return &TwilioSender{
		client: twilio.NewRestClientWithParams(twilio.ClientParams{Client: baseClient}),
		from:   config.From,
	}, nil
}

// Send creates a message through Twilio. Only Twilio's acceptance is
// known here; delivery to the handset is reported later by Twilio.
func (s *TwilioSender) Send(to, body string) (Receipt, error) {
	params := &twilioapi.CreateMessageParams{}
	params.SetTo(to)
	params.SetBody(body)
	if isMessagingServiceSID(s.from) {
		params.SetMessagingServiceSid(s.from)
	} else {
		params.SetFrom(s.from)
	}

	message, err := s.client.Api.CreateMessage(params)
	if err != nil {
		return Receipt{}, classifyTwilioError(err)
	}
	receipt := Receipt{Status: StatusSent}
	if message.Sid != nil {
		receipt.ProviderID = *message.Sid
	}
	return receipt, nil
}

func isMessagingServiceSID(from string) bool {
	return len(from) == 34 && strings.HasPrefix(from, "MG")
}

// classifyTwilioError maps what twilio-go returns to an *Error.
func classifyTwilioError(err error) *Error {
	var restErr *twilioclient.TwilioRestError
	if errors.As(err, &restErr) {
		sendErr := &Error{Kind: KindRejected, Code: restErr.Code, Message: restErr.Message, Err: err}
		switch {
		case restErr.Code == twilioCodeOptedOut:
			sendErr.Kind = KindOptedOut
		case restErr.Code == twilioCodeRegionNotEnabled:
			sendErr.Kind = KindRegionNotEnabled
		case restErr.Code == twilioCodeInvalidTo:
			sendErr.Kind = KindInvalidNumber
		case restErr.Status >= 500:
			sendErr.Kind = KindUnavailable
		}
		if sendErr.Message == "" {
			sendErr.Message = fmt.Sprintf("Twilio answered HTTP %d without a message", restErr.Status)
		}
		return sendErr
	}

	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return &Error{Kind: KindUnavailable, Message: "the Twilio request timed out", Err: err}
	}
	// Anything else is a connection failure or a response that is not
	// Twilio's JSON, such as a proxy's HTML error page.
	return &Error{Kind: KindUnavailable, Message: "Twilio could not be reached or returned a response that is not its JSON: " + err.Error(), Err: err}
}

// rebasedClient sends twilio-go's requests to another base URL. twilio-go
// builds every URL from a fixed https://<product>.twilio.com, so the
// scheme, host and path prefix are replaced here, just before sending.
type rebasedClient struct {
	*twilioclient.Client
	apiURL *url.URL
}

// SendRequest rewrites rawURL onto the configured base URL and sends it.
func (c *rebasedClient) SendRequest(method string, rawURL string, data url.Values,
	headers map[string]interface{}, body ...byte) (*http.Response, error) {
	target, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	target.Scheme = c.apiURL.Scheme
	target.Host = c.apiURL.Host
	target.Path = strings.TrimSuffix(c.apiURL.Path, "/") + target.Path
	return c.Client.SendRequest(method, target.String(), data, headers, body...)
}
