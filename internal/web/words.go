package web

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
)

// Officers' words. The request structs and the lifecycle table speak the
// wire format (slugs, field paths, Go durations); a person on night duty
// reads these instead. Every slug the portal shows goes through one of the
// maps below, with the slug itself as the fallback so nothing is hidden.

// typeNames name the request types.
var typeNames = map[string]string{
	"preserve": "Preservation request", "traffic-path": "Traffic-path answer", "mla-followup": "MLA follow-up",
	"realtime-traffic": "Real-time traffic collection", "interception": "Interception",
	"emergency-disclosure": "Emergency disclosure", "emergency-mla": "Emergency mutual assistance",
	"subscriber-direct": "Subscriber data order to a provider", "production-order": "Production order",
	"domain-registration": "Domain registration data", "spontaneous-info": "Spontaneous information",
	"assistance": "Request for assistance", "ping": "Availability check (ping)",
	"epoc": "European Production Order (EPOC)", "epoc-pr": "European Preservation Order (EPOC-PR)",
}

// stateNames say where a request stands.
var stateNames = map[string]string{
	"draft": "Draft", "sent": "Sent, not yet delivered", "delivered": "Delivered, waiting for acknowledgement",
	"acknowledged": "Acknowledged", "in-progress": "Being executed", "preserved": "Preserved",
	"disclosed": "Disclosed", "partially-executed": "Partly executed", "declined": "Declined",
	"postponed": "Postponed", "needs-info": "Information asked for", "closed": "Closed",
}

// stateTone groups states for colour (always beside the words): waiting
// for us, in hand, done well, refused or stopped.
var stateTone = map[string]string{
	"draft": "neutral", "sent": "waiting", "delivered": "waiting", "acknowledged": "active", "in-progress": "active",
	"preserved": "done", "disclosed": "done", "partially-executed": "done", "declined": "stopped",
	"postponed": "stopped", "needs-info": "waiting", "closed": "neutral",
}

// priorityNames and their marks: urgency stands out by weight, colour and
// an icon, never by colour alone.
var priorityNames = map[string]string{"emergency": "‼ EMERGENCY", "urgent": "! Urgent", "routine": "Routine"}

// instrumentNames are the treaties by their usual names.
var instrumentNames = map[string]string{
	"budapest": "Budapest Convention", "protocol2": "Second Additional Protocol", "un2024": "UN Convention against Cybercrime",
	"eu-2023-1543": "EU Regulation 2023/1543", "g7": "G7 24/7 network practice", "bilateral": "bilateral treaty",
	"practice": "network practice",
}

// handlingNames spell out the handling codes (SPEC section 7).
var handlingNames = map[string]string{
	"H0": "H0 — use only for preventing and fighting crime",
	"H1": "H1 — not for court without the sender's permission (intelligence, not evidence)",
	"H2": "H2 — not to be passed on without permission",
	"H3": "H3 — other conditions, stated below",
}

// clockNames name the clocks.
var clockNames = map[string]string{
	request.ClockAck: "Acknowledgement by a person", request.ClockPreservation: "Preservation ends",
	request.ClockArt7: "Provider answers (Protocol Art. 7)", request.ClockArt8Serve: "Order served on the provider (Protocol Art. 8)",
	request.ClockArt8Data:     "Provider produces the data (Protocol Art. 8)",
	request.ClockEUProduction: "Provider produces the data (EU 2023/1543, 10 days)", request.ClockEUEmergency: "Provider produces the data (EU 2023/1543 emergency, 8 hours)",
	request.ClockDomestic: "Domestic order ends (Art. 16(2), 90 days)", request.ClockInterception: "Interception period ends (Art. 34)",
}

// deadlineStatus words.
var deadlineStatus = map[string]string{"pending": "running", "met": "met", "missed": "missed", "suspended": "held"}

// noteNames say what a note in the timeline means.
var noteNames = map[string]string{
	request.NoteEscalated: "Escalated", request.NoteNegativeAck: "Not acknowledged in time (sent to the requester)",
	request.NoteReminder: "Reminder: preservation ends soon", request.NoteExtended: "Preservation extended",
	request.NoteServed: "Order served on the provider", request.NoteMLAReceived: "MLA request received",
	request.NoteMLADecided: "MLA request decided", request.NoteLapsed: "Preservation lapsed", "refused-step": "Step not applied",
	request.NoteRenewed:  "Interception period renewed",
	request.NoteNotified: "Notification copy sent", request.NoteDisclosureStopped: "Disclosure stopped",
}

// actorNames say as whom a step was taken.
var actorNames = map[string]string{"sender": "requesting side", "receiver": "requested side", "system": "the node, automatically",
	"notified-authority": "the authority notified of the order"}

// enumWords turn enum values of the request into words.
var enumWords = map[string]string{
	"new": "new request", "extension": "extension of an earlier preservation", "node": "through art35", "email": "e-mail",
	"phone": "phone", "fax": "fax", "subscriber": "subscriber data", "traffic": "traffic data", "content": "content data",
	"ip": "IP address", "domain": "domain", "account": "account", "url": "URL", "hash": "hash", "other": "other",
	"central-authority": "central authority", "diplomatic": "diplomatic channel", "direct": "directly", "electronic": "electronically",
	"post": "post",
}

// fieldWords are the labels of request fields in officers' words, by the
// field's JSON name (the last part of its path). Fields not listed keep
// the label made from their name.
var fieldWords = map[string]string{
	"status": "New or extension", "extends_ref": "Extends the preservation (reference)", "offence": "Offence",
	"facts": "What happened (facts)", "data": "Data to preserve", "relation": "How the data relate to the offence",
	"custodian": "Who holds the data (provider, location)", "necessity": "Why preservation is needed",
	"mla_will_follow": "A formal MLA request will follow", "reply_channel": "Answer by",
	"confirmation_contact": "Person to call back to confirm", "provider": "Provider", "name": "Name",
	"address": "Address", "country": "Country", "phone": "Phone", "email": "E-mail", "category": "Kind of data",
	"description": "What exactly is wanted", "identifiers": "Identifiers", "kind": "Kind", "value": "Value",
	"port": "Source port", "time": "Time", "preservation_id": "Preservation request answered (reference)",
	"path": "How the communication travelled", "mla_date": "Date the MLA request was sent", "ticket": "MLA file number",
	"channel": "Sent through", "requesting_authority": "Authority that issued the MLA request",
	"executing_authority": "Authority expected to execute it", "communications": "Communications",
	"period": "Period", "from": "From", "to": "To", "domestic_basis": "Domestic legal basis",
	"issued_at": "Issued on", "protocol_statement": "Issued under the Second Additional Protocol",
	"legal_provisions": "Legal provisions", "penalties": "Penalties", "emergency_facts": "Why it is an emergency",
	"data_relation": "How the data relate to the emergency", "special_instructions": "Special instructions",
	"by_phone_first": "First asked by phone", "assistance_sought": "Assistance sought", "data_authority": "Authority seeking the data",
	"subscriber_data": "Subscriber information wanted", "legal_grounds": "Domestic legal grounds",
	"reply_contact": "Who receives the data", "time_frame": "Time frame and manner of reply",
	"preservation_sought": "Preservation already asked for", "preservation_ref": "That preservation (reference)",
	"notification_given": "Copy sent to the notification authority", "order": "The order (as the provider sees it)",
	"data_description": "Information sought", "supporting": "Supporting information (not shown to the provider)",
	"provider_holds": "Why the provider is believed to hold the data", "relevance": "Relevance to the investigation",
	"data_kind": "Kind of data", "provider_may_see_supporting": "Provider may see the supporting information",
	"by": "Consent given by", "domain": "Domain", "data_elements": "Registration data wanted", "purpose": "Purpose",
	"registrar": "Registrar", "information": "Information", "question": "Question", "challenge": "Challenge",
}

func word(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// codeWords is an answer code in words with its article:
// "Art. 29(5)(a) — the offence is regarded as a political offence ...".
func codeWords(code request.AnswerCode) string {
	info, ok := request.AnswerCodes[code]
	if !ok {
		return string(code)
	}
	src := info.Source
	if strings.HasPrefix(src, "SPEC") {
		src = "network rule"
	}
	return src + " — " + info.Text
}

// legalBasisWords: "Budapest Convention, Art. 29".
func legalBasisWords(lb request.LegalBasis) string {
	s := word(instrumentNames, string(lb.Instrument))
	if lb.Article != "" {
		s += ", Art. " + strings.TrimPrefix(lb.Article, "Art. ")
	}
	if lb.Text != "" {
		s += " (" + lb.Text + ")"
	}
	return s
}

// durationWords says a period as a person would: "2 hours", "15 minutes",
// "1 day".
func durationWords(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Hour:
		return plural(int(d/time.Hour), "hour") + " " + plural(int(d%time.Hour/time.Minute), "minute")
	default:
		return plural(int(d/time.Minute), "minute")
	}
}

// clockSource says why a clock runs, without wire-format durations or
// references to the project's specification.
func clockSource(d request.Deadline, priority request.Priority) string {
	if d.Clock == request.ClockAck {
		if p, ok := request.DefaultPolicy().Ack[priority]; ok {
			return fmt.Sprintf("network rule: a person acknowledges %s %s request within %s", article(string(priority)), priority, durationWords(p))
		}
	}
	return strings.ReplaceAll(d.Source, "SPEC section 6", "network rule")
}

func article(w string) string {
	if w != "" && strings.ContainsRune("aeiou", rune(w[0])) {
		return "an"
	}
	return "a"
}

// eventNames say what a step did, in the past tense, for the timeline.
var eventNames = map[string]string{
	"sent": "Sent", "delivered": "Delivered", "acknowledged": "Acknowledged", "in-progress": "Execution started",
	"preserved": "Preserved", "disclosed": "Disclosed", "partially-executed": "Partly executed", "declined": "Declined",
	"postponed": "Postponed", "needs-info": "Information asked for", "closed": "Closed",
}

// eventHeadline is the first words of a timeline entry; details says
// whether the evidence's details still need showing after it.
func eventHeadline(e request.Evidence) (headline string, details bool) {
	switch {
	case e.Kind == request.NoteEscalated && e.Details != "":
		return "Escalated to the " + e.Details + " on duty", false
	case e.Kind == request.NoteDisclosureStopped:
		// The notified authority's stop (Protocol Art. 7(5)(c); Reg.
		// 2023/1543 Art. 12): who stopped it is the point of the line.
		return "Disclosure stopped by " + e.By, true
	case e.Kind == request.NoteNegativeAck && e.Details == "requester":
		return word(noteNames, e.Kind), false
	case e.To != "" && e.Kind != "refused-step":
		return word(eventNames, string(e.To)), true
	case e.Kind == "refused-step" && e.To != "":
		return "Step not applied: " + strings.ToLower(word(eventNames, string(e.To))), true
	}
	return word(noteNames, e.Kind), true
}

// stepPrefix is how the lifecycle names a refused move ("in-progress ->
// preserved: "): the officer already knows which step they took.
var stepPrefix = regexp.MustCompile(`(request \S+: )?[a-z-]+ -> [a-z-]+(: )?`)

// plainError drops the lifecycle's wire prefix from a message.
func plainError(msg string) string {
	msg = stepPrefix.ReplaceAllString(msg, "")
	if strings.HasPrefix(msg, "is taken by") {
		msg = "This step " + msg
	}
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return specRef.ReplaceAllString(msg, "network rule")
}

var specRef = regexp.MustCompile(`SPEC section \d+`)
