package hooks

import (
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/hearth-research/hearth/internal/phone"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/security"
)

// otpIDAlphabet and otpIDLength give code request ids the form of
// PocketBase record ids, since the id becomes the _otps record's id.
const (
	otpIDAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	otpIDLength   = 15
)

// requestOTP handles POST /api/otp/request. It responds the same way
// whether or not the phone and last name belong to an enrolled person: the
// request only validates the input, applies the limits and returns a fresh
// id. Finding the person, creating the code and sending the SMS happen in
// the background, so the answer's timing does not depend on them either.
func (h *Hearth) requestOTP(e *core.RequestEvent) error {
	form := &otpRequestForm{}
	if err := e.BindBody(form); err != nil {
		return e.BadRequestError("The request body must be JSON with phone and last_name.", err)
	}
	e164, err := form.validate(h.config.Phones)
	if err != nil {
		return e.BadRequestError("Check the phone number and last name.", err)
	}

	request := codeRequest{
		phone:    e164,
		lastName: form.LastName,
		clientIP: clientKey(h.clientAddress(e)),
		otpID:    security.RandomStringWithAlphabet(otpIDLength, otpIDAlphabet),
	}
	if err := h.reserveCodeRequest(e.App, request); err != nil {
		var limited *limitError
		if errors.As(err, &limited) {
			return limited.apiError(e)
		}
		return e.InternalServerError("Failed to record the code request.", err)
	}

	state := h.signInState()
	app := e.App
	delivered := make(chan struct{})
	routine.FireAndForget(func() {
		defer close(delivered)
		h.deliverCode(app, state.sender, request)
	}, &state.deliveries)
	// NOTE: a matching pair's delivery writes more rows than a miss, and the
	// next request's answer is measurably (about 0.3 ms on loopback) slower
	// after it; see docs/SIGN-IN.md.
	if h.config.AwaitCodeDelivery {
		<-delivered
	}

	return e.JSON(http.StatusOK, map[string]string{"otpId": request.otpID})
}

// codeRequest is one accepted code request, passed to the background
// delivery.
type codeRequest struct {
	phone    string // E.164
	lastName string // as typed
	clientIP string
	otpID    string
}

// -------------------------------------------------------------------

type otpRequestForm struct {
	Phone    string `json:"phone"`
	LastName string `json:"last_name"`
}

// validate checks both fields and returns the phone in E.164. A number that
// is invalid or from a country outside the allowed list is rejected here,
// before anything is looked up.
func (form *otpRequestForm) validate(phones *phone.Parser) (string, error) {
	errs := validation.Errors{}

	e164, err := phones.Parse(form.Phone)
	switch {
	case !isUTF8Text(form.Phone):
		errs["phone"] = validation.NewError("validation_invalid_utf8", "The phone number must be valid UTF-8 text.")
	case hasControlCharacter(strings.TrimSpace(form.Phone)):
		errs["phone"] = validation.NewError("validation_invalid_characters",
			"The phone number must not contain control characters such as tabs or line breaks.")
	case form.Phone == "":
		errs["phone"] = validation.NewError("validation_required", "Enter your phone number.")
	case errors.Is(err, phone.ErrCountryNotAllowed):
		errs["phone"] = validation.NewError("validation_phone_country",
			"Numbers from this country cannot sign in to this study.")
	case err != nil:
		errs["phone"] = validation.NewError("validation_invalid_phone",
			"Enter a valid phone number, e.g. +1 201 555 0123.")
	}

	lastName := strings.TrimSpace(form.LastName)
	switch {
	case !isUTF8Text(lastName):
		errs["last_name"] = validation.NewError("validation_invalid_utf8", "The last name must be valid UTF-8 text.")
	case hasControlCharacter(lastName):
		errs["last_name"] = validation.NewError("validation_invalid_characters",
			"The last name must not contain control characters such as tabs or line breaks.")
	default:
		if err := validation.Validate(lastName,
			validation.Required.Error("Enter your last name."),
			validation.RuneLength(1, 100).Error("The last name can be at most 100 characters long."),
		); err != nil {
			errs["last_name"] = err
		}
	}

	if len(errs) > 0 {
		return "", errs
	}
	return e164, nil
}

// isUTF8Text reports whether text is valid UTF-8 without U+FFFD. JSON
// decoding turns invalid UTF-8 and unpaired surrogate escapes into U+FFFD,
// which no phone number or name contains, so finding it means the client
// sent text that was not valid.
func isUTF8Text(text string) bool {
	return utf8.ValidString(text) && !strings.ContainsRune(text, utf8.RuneError)
}

func hasControlCharacter(text string) bool {
	return strings.IndexFunc(text, unicode.IsControl) >= 0
}
