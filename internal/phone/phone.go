// Package phone parses the phone numbers people type into E.164, the form
// Hearth stores and sends SMS to. It wraps a Go port of Google's
// libphonenumber so that every national and international way of writing a
// number is understood the same way.
package phone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/width"
)

// Errors returned by Parse.
var (
	ErrInvalid            = errors.New("invalid phone number")
	ErrCountryNotAllowed  = errors.New("phone number country not allowed")
	errUnknownDefaultZone = errors.New("unknown default region")
)

// Parser turns typed phone numbers into E.164 strings.
type Parser struct {
	// DefaultRegion is the ISO 3166 region assumed for numbers typed without a
	// country code, e.g. "US".
	DefaultRegion string
	// AllowedRegions lists the regions whose numbers are accepted. Empty means
	// only DefaultRegion.
	AllowedRegions []string
}

// NewParser returns a Parser for defaultRegion that accepts numbers of the
// allowed regions (only defaultRegion when allowed is empty).
func NewParser(defaultRegion string, allowed []string) (*Parser, error) {
	defaultRegion = strings.ToUpper(strings.TrimSpace(defaultRegion))
	if phonenumbers.GetCountryCodeForRegion(defaultRegion) == 0 {
		return nil, fmt.Errorf("%w %q", errUnknownDefaultZone, defaultRegion)
	}
	p := &Parser{DefaultRegion: defaultRegion}
	for _, region := range allowed {
		region = strings.ToUpper(strings.TrimSpace(region))
		if region == "" {
			continue
		}
		if phonenumbers.GetCountryCodeForRegion(region) == 0 {
			return nil, fmt.Errorf("%w %q", errUnknownDefaultZone, region)
		}
		p.AllowedRegions = append(p.AllowedRegions, region)
	}
	if len(p.AllowedRegions) == 0 {
		p.AllowedRegions = []string{defaultRegion}
	}
	return p, nil
}

// Parse returns the E.164 form of typed, which may be in any national or
// international format: spaces, dashes, dots, brackets, a leading "+" or "00"
// and full-width digits are all accepted. It returns ErrInvalid for
// something that is not a valid number and ErrCountryNotAllowed for a valid
// number of a region outside AllowedRegions.
func (p *Parser) Parse(typed string) (string, error) {
	// Full-width digits and plus signs (as typed on CJK keyboards) become ASCII.
	normalized := strings.TrimSpace(width.Narrow.String(typed))
	if normalized == "" || len(normalized) > 40 {
		return "", ErrInvalid
	}
	// libphonenumber reads "00" as an international prefix only for regions
	// that dial it; people everywhere write it to mean "+".
	if strings.HasPrefix(normalized, "00") {
		normalized = "+" + normalized[2:]
	}

	number, err := phonenumbers.Parse(normalized, p.DefaultRegion)
	if err != nil || !phonenumbers.IsValidNumber(number) {
		return "", ErrInvalid
	}

	region := phonenumbers.GetRegionCodeForNumber(number)
	allowed := false
	for _, r := range p.AllowedRegions {
		if r == region {
			allowed = true
			break
		}
	}
	if !allowed {
		return "", ErrCountryNotAllowed
	}

	return phonenumbers.Format(number, phonenumbers.E164), nil
}
