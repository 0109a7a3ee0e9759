package web

import (
	"regexp"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
)

// pathWords label the common fields of the compose form, by full path,
// where the field's name alone says too little.
var pathWords = map[string]string{
	"requested.party": "Send to", "sender_ref": "Your reference", "priority": "Priority",
	"legal_basis": "Legal basis", "legal_basis.instrument": "Treaty", "legal_basis.article": "Article",
	"legal_basis.text": "Treaty name or note", "language": "Language of the request", "handling": "Handling",
	"handling.code": "Handling code", "handling.conditions": "Use conditions", "requesting": "Your office",
	"requesting.office_hours": "Your office hours", "requesting.time_zone": "Your time zone",
	"requesting.contact": "You (the officer handling it)", "requested": "Recipient",
}

// hintWords are the hints under fields, written for officers, by path or
// by the field's JSON name.
var hintWords = map[string]string{
	"requested.party":         "the party whose 24/7 point of contact receives it; the legal route is shown before sending",
	"sender_ref":              "your own file number, for your records and theirs",
	"language":                "two letters, e.g. en",
	"requesting.office_hours": "when your office answers outside the 24/7 line",
	"requesting.time_zone":    "your zone, e.g. Europe/Rome; filled from the directory",
	"phone":                   "international form: + and the country code, e.g. +39 06 1234 5678",
	"value":                   "the IP address, account, domain, ... exactly as seen in your logs",
	"port":                    "the source port, needed when many users share one address (carrier-grade NAT)",
	"time":                    "date and time of the connection, in your zone (shown beside the field); sent in UTC",
	"mla_will_follow":         "Art. 29(2)(f): the request can only be sent with this statement",
	"custodian":               "the provider or where the system is, as far as known",
	"country":                 "two letters, e.g. DE",
}

// e164 is a phone number in international form: "+", a country code and
// 6 to 15 digits in all, spaces allowed between them.
var e164 = regexp.MustCompile(`^\+[0-9](?: ?[0-9]){5,14}$`)

// phoneProblems checks every phone field of the form (the checklist asks
// for the international form in words only; a call-back number that
// cannot be dialled from abroad is useless at 3 a.m.).
func phoneProblems(fields []Field) []request.Problem {
	var out []request.Problem
	for _, f := range fields {
		if !strings.HasSuffix(f.Path, ".phone") || f.Value == "" || e164.MatchString(f.Value) {
			continue
		}
		out = append(out, request.Problem{Field: f.Path, Rule: "phone-e164", Severity: request.SeverityError,
			Message: "phone " + f.Value + " is not in international form: write + and the country code, then the number, e.g. +39 06 1234 5678"})
	}
	return out
}

const localInput = "2006-01-02T15:04:05"

// zonedTimes turns the date-times the officer typed (in their zone, as a
// datetime-local input sends them) into RFC 3339 UTC. Values already in
// RFC 3339 (from a link, an older form or the API) are kept.
func zonedTimes(fields []Field, zone *time.Location) {
	for i := range fields {
		f := &fields[i]
		if f.Kind != "datetime" || f.Value == "" {
			continue
		}
		if _, err := time.Parse(time.RFC3339, f.Value); err == nil {
			continue
		}
		for _, layout := range []string{localInput, "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, f.Value, zone); err == nil {
				f.Value = t.UTC().Format(time.RFC3339)
				break
			}
		}
	}
}

// inputTime shows an RFC 3339 value in the officer's zone for a
// datetime-local input; anything else is shown as it is.
func inputTime(v string, zone *time.Location) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return v
	}
	return t.In(zone).Format(localInput)
}

// optionWords shows an enum value of the form in words.
func optionWords(path, v string) string {
	switch {
	case strings.HasSuffix(path, "instrument"):
		return word(instrumentNames, v)
	case path == "priority":
		return word(map[string]string{"emergency": "Emergency (life at risk: acknowledged within 15 minutes)",
			"urgent": "Urgent (acknowledged within 2 hours)", "routine": "Routine (acknowledged within 24 hours)"}, v)
	case strings.HasSuffix(path, "handling.code"):
		return word(handlingNames, v)
	}
	return word(enumWords, v)
}
