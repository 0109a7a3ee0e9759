package web

import (
	"regexp"
	"strings"
	"time"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/web/i18n"
)

// Officers' words. The request structs and the lifecycle table speak the
// wire format (slugs, field paths, Go durations); a person on night duty
// reads words instead. The words are in the message catalogue
// (internal/web/i18n), one file per kind of slug: type.txt (type.preserve),
// state.txt, priority.txt, instrument.txt, handling.txt, clock.txt,
// deadline.txt, note.txt, actor.txt, enum.txt, field.txt, verb.txt,
// event.txt, code.txt, meaning.txt, consequence.txt. A slug with no words
// shows as itself, so nothing is hidden; TestCatalogueHasEveryKeyUsed
// makes sure every slug the request format defines has them.

// word is the words for slug k of a kind ("state", "type", ...) in lang,
// or k itself.
func word(lang, kind, k string) string {
	s, _ := i18n.Lookup(lang, kind+"."+k)
	if s == kind+"."+k {
		return k
	}
	return s
}

// stateTone groups states for colour (always beside the words): waiting
// for us, in hand, done well, refused or stopped.
var stateTone = map[string]string{
	"draft": "neutral", "sent": "waiting", "delivered": "waiting", "acknowledged": "active", "in-progress": "active",
	"preserved": "done", "disclosed": "done", "partially-executed": "done", "declined": "stopped",
	"postponed": "stopped", "needs-info": "waiting", "closed": "neutral",
}

func tone(k string) string {
	if v, ok := stateTone[k]; ok {
		return v
	}
	return k
}

// codeWords is an answer code in words with its article:
// "Art. 29(5)(a) — the offence is regarded as a political offence ...".
func codeWords(lang string, code request.AnswerCode) string {
	info, ok := request.AnswerCodes[code]
	if !ok {
		return string(code)
	}
	src := info.Source
	if strings.HasPrefix(src, "SPEC") {
		src = i18n.T(lang, "words.network-rule")
	} else {
		src = articleWords(lang, src)
	}
	return src + " — " + word(lang, "code", string(code))
}

// articleWords writes an article reference the language's way ("Art. 29"
// is "art. 29" in French).
func articleWords(lang, s string) string {
	if rest, ok := strings.CutPrefix(s, "Art. "); ok {
		return i18n.T(lang, "words.article", rest)
	}
	return s
}

// legalBasisWords: "Budapest Convention, Art. 29".
func legalBasisWords(lang string, lb request.LegalBasis) string {
	s := word(lang, "instrument", string(lb.Instrument))
	if lb.Article != "" {
		s += ", " + i18n.T(lang, "words.article", strings.TrimPrefix(lb.Article, "Art. "))
	}
	if lb.Text != "" {
		s += " (" + lb.Text + ")"
	}
	return s
}

// durationWords says a period as a person would: "2 hours", "15 minutes",
// "1 day".
func durationWords(lang string, d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return i18n.N(lang, "words.days", int(d/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour == 0:
		return i18n.N(lang, "words.hours", int(d/time.Hour))
	case d >= time.Hour:
		return i18n.N(lang, "words.hours", int(d/time.Hour)) + " " + i18n.N(lang, "words.minutes", int(d%time.Hour/time.Minute))
	default:
		return i18n.N(lang, "words.minutes", int(d/time.Minute))
	}
}

// clockSource says why a clock runs, without wire-format durations or
// references to the project's specification.
func clockSource(lang string, d request.Deadline, priority request.Priority) string {
	if d.Clock == request.ClockAck {
		if p, ok := request.DefaultPolicy().Ack[priority]; ok {
			return i18n.T(lang, "words.ack-rule."+string(priority), durationWords(lang, p))
		}
	}
	if lang != i18n.Default {
		for _, p := range sourcePatterns {
			if m := p.re.FindStringSubmatch(d.Source); m != nil {
				args := make([]any, 0, len(m)-1)
				for _, a := range m[1:] {
					args = append(args, a)
				}
				return i18n.T(lang, "source."+p.key, args...)
			}
		}
	}
	return strings.ReplaceAll(d.Source, "SPEC section 6", i18n.T(lang, "words.network-rule"))
}

// sourcePatterns recognise the legal sources package request gives its
// clocks (in English), so that other languages say them in their words
// (source.txt); the captured parts (days, dates) are the arguments. A
// source no pattern knows is shown as it is.
var sourcePatterns = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^Art\. 29\(7\): at least (\d+) days$`), "art29-7-min"},
	{regexp.MustCompile(`^the provider's own period of (\d+) days \(longer than the (\d+) of Art\. 29\(7\)\)$`), "provider-period"},
	{regexp.MustCompile(`^the end date the requested party gave$`), "requested-end"},
	{regexp.MustCompile(`^extended on (\S+)$`), "extended"},
	{regexp.MustCompile(`^Art\. 29\(7\): kept until the MLA request was decided$`), "mla-decided"},
	{regexp.MustCompile(`^Regulation \(EU\) 2023/1543 Art\. 11: (\d+) days$`), "eu-art11"},
	{regexp.MustCompile(`^Regulation \(EU\) 2023/1543 Art\. 10\(2\): data within (\d+) days of receipt of the EPOC$`), "eu-art10-2"},
	{regexp.MustCompile(`^Regulation \(EU\) 2023/1543 Art\. 10\(4\): emergency case, data within 8 hours of receipt of the EPOC$`), "eu-art10-4"},
	{regexp.MustCompile(`^Art\. 34: the authorised period ends (\S+)$`), "art34-end"},
	{regexp.MustCompile(`^Art\. 34: renewed on (\S+) until (\S+)$`), "art34-renewed"},
	{regexp.MustCompile(`^Art\. 16\(2\): a domestic preservation order lasts at most (\d+) days, renewable$`), "art16-2"},
	{regexp.MustCompile(`^Art\. 16\(2\): a domestic preservation order lasts at most (\d+) days, renewable; the order gave an earlier end$`), "art16-2-earlier"},
	{regexp.MustCompile(`^Art\. 16\(2\): renewed on (\S+) for at most (\d+) days$`), "art16-2-renewed"},
	{regexp.MustCompile(`^Protocol Art\. 7: (\d+) days for the provider to disclose, then other routes$`), "p2-art7"},
	{regexp.MustCompile(`^Protocol Art\. 8: the requested party serves the order on the provider within (\d+) days$`), "p2-art8-serve"},
	{regexp.MustCompile(`^Protocol Art\. 8: the provider produces (.+) within (\d+) days of service$`), "p2-art8-data"},
}

// eventHeadline is the first words of a timeline entry; details says
// whether the evidence's details still need showing after it.
func eventHeadline(lang string, e request.Evidence) (headline string, details bool) {
	switch {
	case e.Kind == request.NoteEscalated && e.Details != "":
		return i18n.T(lang, "words.escalated-to", word(lang, "words.duty", e.Details)), false
	case e.Kind == request.NoteDisclosureStopped:
		// The notified authority's stop (Protocol Art. 7(5)(c); Reg.
		// 2023/1543 Art. 12): who stopped it is the point of the line.
		return i18n.T(lang, "words.disclosure-stopped-by", e.By), true
	case e.Kind == request.NoteNegativeAck && e.Details == "requester":
		return word(lang, "note", e.Kind), false
	case e.To != "" && e.Kind != "refused-step":
		return word(lang, "event", string(e.To)), true
	case e.Kind == "refused-step" && e.To != "":
		return i18n.T(lang, "words.step-not-applied", strings.ToLower(word(lang, "event", string(e.To)))), true
	}
	return word(lang, "note", e.Kind), true
}

// stepPrefix is how the lifecycle names a refused move ("in-progress ->
// preserved: "): the officer already knows which step they took.
var stepPrefix = regexp.MustCompile(`(request \S+: )?[a-z-]+ -> [a-z-]+(: )?`)

// plainError drops the lifecycle's wire prefix from a message (the
// message itself comes from the packages below the portal, in English).
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

// yesNo is a yes or a no in lang.
func yesNo(lang string, b bool) string {
	if b {
		return i18n.T(lang, "words.yes")
	}
	return i18n.T(lang, "words.no")
}
