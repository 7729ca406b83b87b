package webhook

import (
	"net/url"
)

// REDCapComplete is the value of a form's "[instrument]_complete" field when
// the form is marked Complete. REDCap uses 0 for Incomplete and 1 for
// Unverified.
const REDCapComplete = "2"

// REDCapTrigger is one REDCap Data Entry Trigger notice: a form of a record
// was saved.
type REDCapTrigger struct {
	// Record is the REDCap record id, matched against users.external_id.
	Record string
	// Instrument is the unique name of the saved form.
	Instrument string
	// Event is the unique event name in longitudinal projects, else "".
	Event string
	// CompleteStatus is the raw value of "[instrument]_complete", "" if absent.
	CompleteStatus string
}

// Complete reports whether the trigger marks the form Complete.
func (t REDCapTrigger) Complete() bool {
	return t.CompleteStatus == REDCapComplete
}

// ParseREDCap reads a Data Entry Trigger from its form fields. The fields
// REDCap sends and Hearth does not use (project_id, username, redcap_url,
// project_url, redcap_data_access_group, redcap_repeat_*) are ignored.
func ParseREDCap(form url.Values) (REDCapTrigger, error) {
	trigger := REDCapTrigger{
		Record:     form.Get("record"),
		Instrument: form.Get("instrument"),
		Event:      form.Get("redcap_event_name"),
	}

	errs := FieldErrors{}
	if problem := checkID(trigger.Record, true); problem != "" {
		errs["record"] = problem
	}
	if problem := checkID(trigger.Instrument, true); problem != "" {
		errs["instrument"] = problem
	} else if !redcapName.MatchString(trigger.Instrument) {
		errs["instrument"] = "Not a REDCap instrument name (lowercase letters, digits and underscores)."
	}
	if problem := checkID(trigger.Event, false); problem != "" {
		errs["redcap_event_name"] = problem
	} else if trigger.Event != "" && !redcapName.MatchString(trigger.Event) {
		errs["redcap_event_name"] = "Not a REDCap event name (lowercase letters, digits and underscores)."
	}
	if len(errs) > 0 {
		return REDCapTrigger{}, errs
	}

	trigger.CompleteStatus = form.Get(trigger.Instrument + "_complete")
	return trigger, nil
}
