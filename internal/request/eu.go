package request

import (
	"fmt"
	"slices"
	"strings"
)

// The certificates of Regulation (EU) 2023/1543 (e-evidence), applicable
// from 18 August 2026: the European Production Order Certificate (EPOC,
// Annex I) and the European Preservation Order Certificate (EPOC-PR,
// Annex II). An issuing authority sends them straight to the provider's
// designated establishment or legal representative in another member
// state (Art. 7). Each Annex section is a struct of its own, so the letter
// prints the certificate section by section.
//
// How sure each field is (docs/eu-forms.md has the table): sections A, B,
// C, I, J and L of Annex I are confirmed in the Regulation; D to H and K of
// Annex I, and C, F and G of Annex II, follow implementations of the forms
// (e-CODEX XML converted by ETSI tooling); D and E of Annex II are
// unconfirmed. The issuing-authority rules (Art. 4) and offence thresholds
// (Art. 5(3), 5(4), 6(2)) are written from the Regulation's articles, not
// from the forms.

// EU data categories (Annex I Section F; Annex II Section C): subscriber
// data; data requested for the sole purpose of identifying the user (IP
// addresses with their time); traffic data; content data.
const (
	EUSubscriber     = "subscriber"
	EUIdentification = "identification"
	EUTraffic        = "traffic"
	EUContent        = "content"
)

// EUDataItem is one category of data in an EU certificate.
type EUDataItem struct {
	Category    string       `json:"category" rule:"eu-data-category" enum:"subscriber,identification,traffic,content" doc:"subscriber data, data requested only to identify the user, traffic data or content data"`
	Description string       `json:"description" rule:"eu-data-description" doc:"what exactly is wanted"`
	Identifiers []Identifier `json:"identifiers" rule:"eu-data-identifiers" doc:"the identifiers the data is looked up by (IP address with port and time, e-mail, account, phone...)"`
}

// EUData is the data a certificate is about, with the period it covers.
type EUData struct {
	Items  []EUDataItem `json:"items" rule:"eu-data" doc:"the data, per category and identifier"`
	Period *Period      `json:"period,omitempty" doc:"the date and time range of the data"`
}

// EUIssuing is Section A of both certificates: who issued it and, where
// applicable, who validated it, with their file numbers.
type EUIssuing struct {
	State                string `json:"issuing_state" rule:"eu-a-state" doc:"ISO 3166-1 alpha-2 code of the issuing state"`
	Authority            string `json:"issuing_authority" rule:"eu-a-authority" doc:"the issuing authority"`
	FileNumber           string `json:"issuing_file_number" rule:"eu-a-file" doc:"the issuing authority's file number"`
	ValidatingAuthority  string `json:"validating_authority,omitempty" doc:"the validating authority, where applicable"`
	ValidatingFileNumber string `json:"validating_file_number,omitempty" doc:"the validating authority's file number"`
}

// EUAddressee is Section B of both certificates: the provider's designated
// establishment or legal representative (Art. 7), or in an emergency
// another establishment (Art. 7(2)), and the provider concerned.
type EUAddressee struct {
	Kind            string `json:"kind" rule:"eu-b-kind" enum:"designated-establishment,legal-representative,other-establishment" doc:"designated establishment, legal representative, or (emergency only) another establishment"`
	Name            string `json:"name" rule:"eu-b-name" doc:"name of the addressee"`
	Address         string `json:"address" rule:"eu-b-address" doc:"postal address of the addressee"`
	Country         string `json:"country" rule:"eu-b-country" doc:"ISO 3166-1 alpha-2 code of the addressee's member state"`
	EmergencyReason string `json:"emergency_reason,omitempty" doc:"why another establishment is addressed: the designated one did not react to an emergency, or none was designated (required for other-establishment)"`
	ServiceProvider string `json:"service_provider,omitempty" doc:"the service provider concerned, if not the addressee"`
}

// EPOCDeadline is Section C of the EPOC: 10 days, or 8 hours in an
// emergency case (Art. 10(2), 10(4)).
type EPOCDeadline struct {
	Emergency        *bool  `json:"emergency" rule:"eu-c-emergency" doc:"an emergency case (imminent threat to life, physical integrity or safety, or critical infrastructure): data within 8 hours instead of 10 days"`
	EmergencyGrounds string `json:"emergency_grounds,omitempty" doc:"the facts that make it an emergency case (required in an emergency)"`
}

// EUPriorOrder is Section D of the EPOC: the preservation order or request
// that came first.
type EUPriorOrder struct {
	Kind      string    `json:"kind" rule:"eu-d-kind" enum:"epoc-pr,preservation-request,other" doc:"an EPOC-PR, another preservation request, or other"`
	Reference string    `json:"reference" rule:"eu-d-reference" doc:"its reference or network id"`
	Date      Timestamp `json:"date,omitzero" doc:"when it was issued"`
}

// EUNotification is Section E of the EPOC: whether the enforcing state is
// notified (Art. 8). Notification is required for traffic and content
// data unless the offence was committed, is being committed or is likely
// to be committed in the issuing state and the person resides there
// (Art. 8(2)).
type EUNotification struct {
	Notified           *bool  `json:"notified" rule:"eu-e-notified" doc:"whether the enforcing authority is sent this EPOC at the same time as the addressee"`
	EnforcingState     string `json:"enforcing_state,omitempty" doc:"ISO 3166-1 alpha-2 code of the enforcing state (required when notified)"`
	EnforcingAuthority string `json:"enforcing_authority,omitempty" doc:"the enforcing authority notified"`
	IssuingStateOnly   bool   `json:"issuing_state_only,omitempty" doc:"the offence is linked to the issuing state and the person resides there (Art. 8(2)): no notification"`
}

// EUConditions is Section G of the EPOC and Sections D and E of the
// EPOC-PR: the offence and the threshold the order rests on.
type EUConditions struct {
	Offence         string `json:"offence" rule:"eu-g-offence" doc:"nature and legal classification of the offence"`
	LegalProvisions string `json:"legal_provisions" rule:"eu-g-provisions" doc:"the applicable statutory provisions and penalties"`
	Threshold       string `json:"threshold" rule:"eu-g-threshold" enum:"any-offence,3-years,listed-offence,custodial-sentence" doc:"any criminal offence; an offence punishable by at least 3 years; an offence listed in Art. 5(4)(b)-(c); or the execution of a custodial sentence or detention order of at least 4 months"`
	Facts           string `json:"facts" rule:"eu-g-facts" doc:"a summary of the case"`
}

// EUUserInfo is Section H of the EPOC: informing the person whose data are
// sought, or why that is delayed (Art. 13).
type EUUserInfo struct {
	Delayed bool   `json:"delayed,omitempty" doc:"informing the person is delayed"`
	Reason  string `json:"reason,omitempty" doc:"why, and until when"`
}

// EUAuthorityDetails is Section I (EPOC) or F (EPOC-PR) for the issuing
// authority, and J or G for the validating authority: type, name, who
// represents it, how to reach it, signature date.
type EUAuthorityDetails struct {
	Kind           string    `json:"kind" rule:"eu-authority-kind" enum:"judge,court,investigating-judge,prosecutor,other" doc:"judge, court, investigating judge, public prosecutor, or other competent authority"`
	Name           string    `json:"name" rule:"eu-authority-name" doc:"name of the authority"`
	Representative string    `json:"representative" rule:"eu-authority-representative" doc:"name of its representative"`
	Post           string    `json:"post,omitempty" doc:"post held"`
	FileNumber     string    `json:"file_number,omitempty" doc:"file number"`
	Address        string    `json:"address" rule:"eu-authority-address" doc:"postal address"`
	Phone          string    `json:"phone" rule:"eu-authority-phone" doc:"phone in international form"`
	Email          string    `json:"email,omitempty" doc:"e-mail address"`
	Languages      string    `json:"languages,omitempty" doc:"languages in which the authority may be addressed"`
	SignedAt       Timestamp `json:"signed_at" rule:"eu-authority-signed" doc:"date of signature, RFC 3339 with a zone"`
	// EmergencyWithoutValidation: in a validly established emergency case
	// the issuing authority may issue without prior validation and seek
	// it within 96 hours (Art. 4(5)); only in Section I/F.
	EmergencyWithoutValidation bool `json:"emergency_without_validation,omitempty" doc:"issued in an emergency case without prior validation (Art. 4(5)); validation follows"`
}

// EUTransfer is Section L of the EPOC: where and how the data are
// transferred.
type EUTransfer struct {
	Authority string `json:"authority" rule:"eu-l-authority" doc:"the authority the data go to"`
	Address   string `json:"address" rule:"eu-l-address" doc:"its address or electronic channel"`
}

// EPOC is the European Production Order Certificate (Regulation (EU)
// 2023/1543, Annex I).
type EPOC struct {
	A EUIssuing           `json:"section_a" rule:"eu-i-a" i18n:"eu.i.a" label:"Section A: issuing and validating authority"`
	B EUAddressee         `json:"section_b" rule:"eu-i-b" i18n:"eu.i.b" label:"Section B: addressee"`
	C EPOCDeadline        `json:"section_c" rule:"eu-i-c" i18n:"eu.i.c" label:"Section C: deadlines"`
	D *EUPriorOrder       `json:"section_d,omitempty" i18n:"eu.i.d" label:"Section D: link to an earlier preservation order or request"`
	E EUNotification      `json:"section_e" rule:"eu-i-e" i18n:"eu.i.e" label:"Section E: notification of the enforcing authority"`
	F EUData              `json:"section_f" rule:"eu-i-f" i18n:"eu.i.f" label:"Section F: data to be produced"`
	G EUConditions        `json:"section_g" rule:"eu-i-g" i18n:"eu.i.g" label:"Section G: conditions for issuing the order"`
	H *EUUserInfo         `json:"section_h,omitempty" i18n:"eu.i.h" label:"Section H: information to the person whose data are sought"`
	I EUAuthorityDetails  `json:"section_i" rule:"eu-i-i" i18n:"eu.i.i" label:"Section I: details of the issuing authority"`
	J *EUAuthorityDetails `json:"section_j,omitempty" i18n:"eu.i.j" label:"Section J: details of the validating authority"`
	L EUTransfer          `json:"section_l" rule:"eu-i-l" i18n:"eu.i.l" label:"Section L: transfer of the data"`
}

// EPOCPR is the European Preservation Order Certificate (Regulation (EU)
// 2023/1543, Annex II): preserve without undue delay; the obligation ends
// after 60 days unless extended by 30 days (Annex VI) or a subsequent
// request for production is confirmed (Annex V) (Art. 11(1)).
type EPOCPR struct {
	A EUIssuing           `json:"section_a" rule:"eu-ii-a" i18n:"eu.ii.a" label:"Section A: issuing and validating authority"`
	B EUAddressee         `json:"section_b" rule:"eu-ii-b" i18n:"eu.ii.b" label:"Section B: addressee"`
	C EUData              `json:"section_c" rule:"eu-ii-c" i18n:"eu.ii.c" label:"Section C: data to be preserved"`
	D EUConditions        `json:"section_d" rule:"eu-ii-d" i18n:"eu.ii.d" label:"Section D: the offence"`
	E string              `json:"section_e,omitempty" i18n:"eu.ii.e" label:"Section E: other relevant information"`
	F EUAuthorityDetails  `json:"section_f" rule:"eu-ii-f" i18n:"eu.ii.f" label:"Section F: details of the issuing authority"`
	G *EUAuthorityDetails `json:"section_g,omitempty" i18n:"eu.ii.g" label:"Section G: details of the validating authority"`
}

func init() {
	for id, r := range euRules {
		Rules[id] = r
	}
}

// euRules are the checklist rules of the two certificates. A source in
// square brackets marks how sure the project is of it (docs/eu-forms.md):
// [I] inferred from implementations of the forms, [U] unconfirmed.
var euRules = map[string]Rule{
	"eu-i-a":                      {"Reg. 2023/1543 Annex I, Section A", "the issuing (and validating) authority with file numbers is required"},
	"eu-i-b":                      {"Reg. 2023/1543 Annex I, Section B", "the addressee is required"},
	"eu-i-c":                      {"Reg. 2023/1543 Annex I, Section C", "say whether this is an emergency case (8 hours) or not (10 days)"},
	"eu-i-e":                      {"Reg. 2023/1543 Annex I, Section E [I]; Art. 8", "say whether the enforcing authority is notified"},
	"eu-i-f":                      {"Reg. 2023/1543 Annex I, Section F [I]", "the data to be produced are required"},
	"eu-i-g":                      {"Reg. 2023/1543 Annex I, Section G [I]", "the offence and the conditions for issuing are required"},
	"eu-i-i":                      {"Reg. 2023/1543 Annex I, Section I", "the issuing authority's details and signature are required"},
	"eu-i-l":                      {"Reg. 2023/1543 Annex I, Section L", "where the data are to be transferred is required"},
	"eu-ii-a":                     {"Reg. 2023/1543 Annex II, Section A", "the issuing (and validating) authority with file numbers is required"},
	"eu-ii-b":                     {"Reg. 2023/1543 Annex II, Section B", "the addressee is required"},
	"eu-ii-c":                     {"Reg. 2023/1543 Annex II, Section C [I]", "the data to be preserved are required"},
	"eu-ii-d":                     {"Reg. 2023/1543 Annex II, Section D [U]; Art. 6(2)", "the offence is required"},
	"eu-ii-f":                     {"Reg. 2023/1543 Annex II, Section F [I]", "the issuing authority's details and signature are required"},
	"eu-a-state":                  {"Reg. 2023/1543 Annex I/II, Section A", "the issuing state is required and must be the requesting party"},
	"eu-a-authority":              {"Reg. 2023/1543 Annex I/II, Section A", "the issuing authority is required"},
	"eu-a-file":                   {"Reg. 2023/1543 Annex I/II, Section A", "the issuing authority's file number is required"},
	"eu-b-kind":                   {"Reg. 2023/1543 Art. 7; Annex I/II, Section B", "say whether the addressee is the designated establishment, the legal representative or (emergency only) another establishment"},
	"eu-b-name":                   {"Reg. 2023/1543 Annex I/II, Section B", "the addressee's name is required"},
	"eu-b-address":                {"Reg. 2023/1543 Annex I/II, Section B", "the addressee's address is required"},
	"eu-b-country":                {"Reg. 2023/1543 Annex I/II, Section B", "the addressee's member state is required and must be the requested party"},
	"eu-b-emergency":              {"Reg. 2023/1543 Art. 7(2); Annex I Section B", "another establishment may be addressed only in an emergency case, saying why the designated establishment or legal representative is not"},
	"eu-c-emergency":              {"Reg. 2023/1543 Art. 10(2), 10(4)", "say whether this is an emergency case: true (data within 8 hours) or false (within 10 days)"},
	"eu-c-grounds":                {"Reg. 2023/1543 Art. 3(18), 10(4)", "an emergency case needs the facts that make it one, and priority emergency; a non-emergency EPOC cannot have priority emergency"},
	"eu-d-kind":                   {"Reg. 2023/1543 Annex I, Section D [I]", "say what the earlier order or request was"},
	"eu-d-reference":              {"Reg. 2023/1543 Annex I, Section D [I]", "the earlier order's reference is required"},
	"eu-e-notified":               {"Reg. 2023/1543 Art. 8; Annex I Section E [I]", "say whether the enforcing authority is notified"},
	"eu-8-notify":                 {"Reg. 2023/1543 Art. 8(1)", "an EPOC for traffic or content data must be notified to the enforcing authority (set notified to true and name the enforcing state), unless the offence is linked to the issuing state and the person resides there (Art. 8(2): set issuing_state_only)"},
	"eu-8-state":                  {"Reg. 2023/1543 Art. 8(1)", "the enforcing state is the member state of the addressee (the requested party)"},
	"eu-data":                     {"Reg. 2023/1543 Annex I Section F / Annex II Section C [I]", "at least one data item is required"},
	"eu-data-category":            {"Reg. 2023/1543 Art. 3(9)-(12) [I]", "the data category is required: subscriber, identification, traffic or content"},
	"eu-data-description":         {"Reg. 2023/1543 Annex I Section F / Annex II Section C [I]", "a description of the data is required"},
	"eu-data-identifiers":         {"Reg. 2023/1543 Annex I Section F / Annex II Section C [I]", "at least one identifier (IP address with time, e-mail, account, phone...) is required"},
	"eu-g-offence":                {"Reg. 2023/1543 Annex I Section G [I]", "the nature and legal classification of the offence are required"},
	"eu-g-provisions":             {"Reg. 2023/1543 Annex I Section G [I]", "the applicable statutory provisions are required"},
	"eu-g-threshold":              {"Reg. 2023/1543 Art. 5(3), 5(4), 6(2)", "say which threshold the order meets: any-offence, 3-years, listed-offence or custodial-sentence"},
	"eu-g-facts":                  {"Reg. 2023/1543 Annex I Section G [I]", "a summary of the case is required"},
	"eu-5-4":                      {"Reg. 2023/1543 Art. 5(4)", "an EPOC for traffic or content data needs an offence punishable by at least 3 years, an offence listed in Art. 5(4)(b)-(c), or the execution of a custodial sentence of at least 4 months; any-offence is enough only for subscriber and identification data (Art. 5(3))"},
	"eu-6-2":                      {"Reg. 2023/1543 Art. 6(2)", "a European Preservation Order may be issued for any criminal offence or the execution of a custodial sentence of at least 4 months; use any-offence or custodial-sentence"},
	"eu-authority-kind":           {"Reg. 2023/1543 Art. 4", "the kind of authority is required: judge, court, investigating-judge, prosecutor or other"},
	"eu-authority-name":           {"Reg. 2023/1543 Annex I Section I / Annex II Section F [I]", "the authority's name is required"},
	"eu-authority-representative": {"Reg. 2023/1543 Annex I Section I / Annex II Section F [I]", "the name of the authority's representative is required"},
	"eu-authority-address":        {"Reg. 2023/1543 Annex I Section I / Annex II Section F [I]", "the authority's address is required"},
	"eu-authority-phone":          {"Reg. 2023/1543 Annex I Section I / Annex II Section F [I]", "the authority's phone number is required"},
	"eu-authority-signed":         {"Reg. 2023/1543 Annex I Section I / Annex II Section F", "the date of signature is required"},
	"eu-4-validation":             {"Reg. 2023/1543 Art. 4(1)(b), 4(2)(b), 4(3)(b) [U]", "an order issued by an 'other' competent authority must be validated: fill in the validating authority's section (J for an EPOC, G for an EPOC-PR), or mark an emergency issued without prior validation (Art. 4(5))"},
	"eu-4-2-judge":                {"Reg. 2023/1543 Art. 4(2) [U]", "an EPOC for traffic or content data is issued or validated by a judge, a court or an investigating judge, not a prosecutor: have it validated by one (section J)"},
	"eu-4-5-emergency":            {"Reg. 2023/1543 Art. 4(5) [U]", "issuing without prior validation is allowed only in an emergency case"},
	"eu-l-authority":              {"Reg. 2023/1543 Annex I, Section L", "the authority the data go to is required"},
	"eu-l-address":                {"Reg. 2023/1543 Annex I, Section L", "the address or channel the data go to is required"},
}

// judicial kinds of issuing authority (Art. 4).
var (
	euJudges   = []string{"judge", "court", "investigating-judge"}
	euJudicial = []string{"judge", "court", "investigating-judge", "prosecutor"}
)

// euSensitive reports whether data include traffic or content data (the
// categories with the higher thresholds, Art. 4(2), 5(4), 8(1)).
func euSensitive(d EUData) bool {
	return slices.ContainsFunc(d.Items, func(i EUDataItem) bool { return i.Category == EUTraffic || i.Category == EUContent })
}

// euIdentifierLists adds the identifier lists of the certificates.
func euIdentifierLists(r *Request, m map[string][]Identifier) {
	data := func(path string, d EUData) {
		for i, it := range d.Items {
			m[fmt.Sprintf("%s.items[%d].identifiers", path, i)] = it.Identifiers
		}
	}
	if p := r.EPOC; p != nil {
		data("epoc.section_f", p.F)
	}
	if p := r.EPOCPR; p != nil {
		data("epoc_pr.section_c", p.C)
	}
}

// euChecks are the certificates' checks that depend on values.
func (v *validator) euChecks(r *Request) {
	if p := r.EPOC; p != nil {
		v.euCommon(r, "epoc", p.A, p.B)
		emergency := p.C.Emergency != nil && *p.C.Emergency
		switch {
		case emergency && strings.TrimSpace(p.C.EmergencyGrounds) == "":
			v.add("epoc.section_c.emergency_grounds", "eu-c-grounds", SeverityError, "")
		case emergency && r.Priority != "" && r.Priority != PriorityEmergency:
			v.add("priority", "eu-c-grounds", SeverityError, fmt.Sprintf("section C says emergency, priority is %q", r.Priority))
		case p.C.Emergency != nil && !emergency && r.Priority == PriorityEmergency:
			v.add("epoc.section_c.emergency", "eu-c-grounds", SeverityError, "priority is emergency but section C says it is not an emergency case")
		}
		if p.B.Kind == "other-establishment" && (!emergency || strings.TrimSpace(p.B.EmergencyReason) == "") {
			v.add("epoc.section_b.emergency_reason", "eu-b-emergency", SeverityError, "")
		}
		sensitive := euSensitive(p.F)
		if sensitive && p.G.Threshold == "any-offence" {
			v.add("epoc.section_g.threshold", "eu-5-4", SeverityError, "the data include traffic or content data")
		}
		if n := p.E; n.Notified != nil {
			switch {
			case sensitive && !*n.Notified && !n.IssuingStateOnly:
				v.add("epoc.section_e.notified", "eu-8-notify", SeverityError, "the data include traffic or content data")
			case *n.Notified && n.EnforcingState != r.Requested.Party:
				v.add("epoc.section_e.enforcing_state", "eu-8-state", SeverityError, fmt.Sprintf("got %q, the requested party is %q", n.EnforcingState, r.Requested.Party))
			}
		}
		v.euAuthorities("epoc", "section_i", "section_j", p.I, p.J, emergency, sensitive)
	}
	if p := r.EPOCPR; p != nil {
		v.euCommon(r, "epoc_pr", p.A, p.B)
		if p.B.Kind == "other-establishment" && (r.Priority != PriorityEmergency || strings.TrimSpace(p.B.EmergencyReason) == "") {
			v.add("epoc_pr.section_b.emergency_reason", "eu-b-emergency", SeverityError, "")
		}
		if t := p.D.Threshold; t != "" && t != "any-offence" && t != "custodial-sentence" {
			v.add("epoc_pr.section_d.threshold", "eu-6-2", SeverityError, fmt.Sprintf("got %q", t))
		}
		v.euAuthorities("epoc_pr", "section_f", "section_g", p.F, p.G, r.Priority == PriorityEmergency, false)
	}
}

// euCommon checks Sections A and B against the request's parties.
func (v *validator) euCommon(r *Request, root string, a EUIssuing, b EUAddressee) {
	if a.State != "" && a.State != r.Requesting.Party {
		v.add(root+".section_a.issuing_state", "eu-a-state", SeverityError, fmt.Sprintf("got %q, the requesting party is %q", a.State, r.Requesting.Party))
	}
	if b.Country != "" && b.Country != r.Requested.Party {
		v.add(root+".section_b.country", "eu-b-country", SeverityError, fmt.Sprintf("got %q, the requested party is %q", b.Country, r.Requested.Party))
	}
}

// euAuthorities applies Art. 4: who may issue, and who must validate.
func (v *validator) euAuthorities(root, issuing, validating string, is EUAuthorityDetails, va *EUAuthorityDetails, emergency, sensitive bool) {
	if is.Email != "" && !emailOK(is.Email) {
		v.add(root+"."+issuing+".email", "email-syntax", SeverityError, fmt.Sprintf("got %q", is.Email))
	}
	if va != nil && va.Email != "" && !emailOK(va.Email) {
		v.add(root+"."+validating+".email", "email-syntax", SeverityError, fmt.Sprintf("got %q", va.Email))
	}
	if is.EmergencyWithoutValidation && !emergency {
		v.add(root+"."+issuing+".emergency_without_validation", "eu-4-5-emergency", SeverityError, "")
	}
	if is.Kind == "" || is.EmergencyWithoutValidation {
		return
	}
	allowed := euJudicial
	if sensitive {
		allowed = euJudges
	}
	if slices.Contains(allowed, is.Kind) {
		return
	}
	switch {
	case va == nil && sensitive:
		v.add(root+"."+validating, "eu-4-2-judge", SeverityError, "the issuing authority is a "+is.Kind)
	case va == nil:
		v.add(root+"."+validating, "eu-4-validation", SeverityError, "the issuing authority is a "+is.Kind)
	case va.Kind != "" && !slices.Contains(allowed, va.Kind) && sensitive:
		v.add(root+"."+validating+".kind", "eu-4-2-judge", SeverityError, "the validating authority is a "+va.Kind)
	case va.Kind != "" && !slices.Contains(allowed, va.Kind):
		v.add(root+"."+validating+".kind", "eu-4-validation", SeverityError, "the validating authority is a "+va.Kind)
	}
}

// emergency reports whether an EPOC is marked an emergency case (Section
// C); false for a nil EPOC.
func (p *EPOC) emergency() bool {
	return p != nil && p.C.Emergency != nil && *p.C.Emergency
}
