package request

// Rule is one checklist rule: where it comes from and what it asks.
// Problem messages are built as "Source: Text", so every message names
// its legal source.
type Rule struct {
	Source string // e.g. "Art. 29(2)(f)" (Budapest unless another instrument is named)
	Text   string // what the rule requires, phrased as the requirement
}

// Message returns the rule as shown to a user.
func (r Rule) Message() string { return r.Source + ": " + r.Text }

// Rules is the checklist, keyed by rule id. Article numbers of the Second
// Additional Protocol (CETS 224) and the UN Convention follow the adopted
// texts as the project understands them (SPEC section 5); sources are kept
// beside each rule so a reviewer can check them one by one.
var Rules = map[string]Rule{
	// Common fields.
	"common-id":              {"art35 network rule", "a network-wide unique request id is required (letters, digits, '-', '_', '.', at most 64)"},
	"common-type":            {"SPEC section 5", "a request type is required (one of preserve, traffic-path, mla-followup, realtime-traffic, interception, emergency-disclosure, emergency-mla, subscriber-direct, production-order, domain-registration, spontaneous-info, assistance, ping, epoc, epoc-pr)"},
	"common-sender-ref":      {"T-CY template 2018", "the sender's own reference number is required"},
	"common-created-at":      {"T-CY template 2018", "the date of the request is required"},
	"common-requesting":      {"SPEC section 5; Art. 29(2)(a)", "the requesting authority is required"},
	"common-requested":       {"Art. 35(1)", "the requested authority is required"},
	"common-priority":        {"SPEC section 6", "a priority is required: emergency, urgent or routine"},
	"common-legal-basis":     {"Art. 25(1)", "the legal basis (instrument and article) is required"},
	"common-language":        {"Protocol Art. 4", "the language of the request is required (ISO 639-1 code, e.g. en)"},
	"common-handling":        {"Art. 26, 28", "a handling code (H0-H3) is required"},
	"content-missing":        {"SPEC section 5", "the content for the request type is required"},
	"content-mismatch":       {"SPEC section 5", "content for another request type must not be present"},
	"authority-party":        {"SPEC section 4", "the party (ISO 3166-1 alpha-2 code, e.g. IT) is required"},
	"authority-name":         {"SPEC section 4", "the authority's name is required"},
	"contact-name":           {"T-CY template 2018", "the contact person's name is required"},
	"contact-phone":          {"T-CY template 2018", "the contact person's phone number is required, so the other side can call back to confirm"},
	"legal-basis-instrument": {"Art. 25(1)", "the instrument is required"},
	"translation-language":   {"Protocol Art. 4", "the translation's language is required"},
	"attachment-filename":    {"Protocol Art. 4", "the attachment's file name is required"},
	"handling-code":          {"Art. 26, 28", "a handling code is required: H0, H1, H2 or H3"},
	"handling-h3":            {"Art. 28(2)", "handling code H3 requires the conditions to be stated"},
	"link-rel":               {"SPEC section 5", "the link's relation is required"},
	"link-id":                {"SPEC section 5", "the linked request's id is required"},
	"data-category":          {"Art. 29(2)(c)", "the data category is required: subscriber, traffic or content"},
	"data-description":       {"Art. 29(2)(c)", "a description of the data is required"},
	"identifier-kind":        {"SPEC section 5", "the identifier's kind is required"},
	"identifier-value":       {"SPEC section 5", "the identifier's value is required"},
	"provider-name":          {"SPEC section 5", "the provider's name is required"},
	"period-from":            {"Art. 33, 34", "the start of the period is required"},
	"period-to":              {"Art. 33, 34", "the end of the period is required"},
	"consent-by":             {"Protocol Art. 8(3)", "the person who consented is required"},

	// Identifier checks.
	"ip-syntax":         {"SPEC section 5", "an IP identifier must be an IPv4 or IPv6 address"},
	"ip-public":         {"SPEC section 5", "an IP identifier must be a public address; a private, loopback, shared or reserved address identifies nobody abroad"},
	"ip-time":           {"SPEC section 5", "an IP address is useless without the UTC time to the second"},
	"ip-port":           {"SPEC section 5", "an IP address without its source port may be useless behind carrier-grade NAT; add the source port if the logs have it"},
	"port-range":        {"SPEC section 5", "a port must be between 1 and 65535"},
	"domain-syntax":     {"RFC 1035", "a domain name must be labels of letters, digits and hyphens separated by dots"},
	"email-syntax":      {"RFC 5322", "an e-mail address must look like local@domain"},
	"time-zone":         {"SPEC section 5", "a time must carry a zone (Z or +hh:mm), e.g. 2026-11-20T14:02:07Z; a time without a zone is an error, not a guess"},
	"time-syntax":       {"RFC 3339", "a time must be written as RFC 3339, e.g. 2026-11-20T14:02:07Z"},
	"time-future":       {"SPEC section 5", "a time in the future cannot identify past activity; check the zone"},
	"period-order":      {"Art. 33", "the period must end after it starts"},
	"party-code":        {"ISO 3166-1", "a party must be an ISO 3166-1 alpha-2 code in capitals, e.g. IT"},
	"language-code":     {"Protocol Art. 4", "a language must be an ISO 639-1 code in lower case, e.g. en, optionally with a region, e.g. pt-BR"},
	"time-zone-name":    {"T-CY template 2018", "the time zone must be an IANA name, e.g. Europe/Rome"},
	"same-party":        {"Art. 35", "the requesting and requested parties must differ"},
	"language-accept":   {"Protocol Art. 4", "the requested authority does not list this language; attach a translation into one it accepts"},
	"enum":              {"SPEC section 5", "the value is not one of the allowed values"},
	"list-entry-empty":  {"SPEC section 5", "a list entry is empty; fill it in or remove it"},
	"priority-for-type": {"Protocol Art. 9, 10", "an emergency request must have priority emergency"},
	"basis-for-type":    {"SPEC section 5", "the instrument does not provide for this request type"},
	"link-self":         {"SPEC section 5", "a request cannot link to itself"},

	// Route checks (internal/route reads the directory and reports these).
	"route-none":  {"SPEC section 9", "no instrument in the directory allows this request between these parties on this date; use a bilateral treaty (legal_basis.instrument bilateral), INTERPOL or letters rogatory, or check the directory"},
	"route-basis": {"SPEC section 9", "the legal basis named does not apply between these parties on this date; use an instrument that does (see 'art35 route')"},
	"p9-1-b":      {"Protocol Art. 9(1)(b)", "the requested party declared that it does not execute emergency requests for subscriber information alone; add other data or use another route"},
	"p7-5-notify": {"Protocol Art. 7(5)", "the provider's country requires notification of orders: send a copy to its notification authority and set notification_given to true"},

	// preserve: Budapest Art. 29(2); UN Art. 42; T-CY template 2018.
	"tcy-status":               {"T-CY template 2018", "say whether this is a new request or an extension"},
	"tcy-extension-ref":        {"T-CY template 2018", "an extension needs the reference of the earlier request"},
	"art29-2-b-offence":        {"Art. 29(2)(b)", "the offence that is the subject of the investigation is required"},
	"art29-2-b-facts":          {"Art. 29(2)(b)", "a brief summary of the related facts is required"},
	"art29-2-c-data":           {"Art. 29(2)(c)", "the stored computer data to be preserved are required"},
	"art29-2-c-relation":       {"Art. 29(2)(c)", "how the data relate to the offence is required"},
	"art29-2-d":                {"Art. 29(2)(d)", "any available information identifying the custodian of the data or the location of the computer system is required"},
	"art29-2-e":                {"Art. 29(2)(e)", "the necessity of the preservation is required"},
	"art29-2-f":                {"Art. 29(2)(f)", "a statement that a mutual legal assistance request will follow is required"},
	"tcy-reply-channel":        {"T-CY template 2018", "the preferred reply channel is required"},
	"tcy-confirmation-contact": {"T-CY template 2018", "a person to call for confirmation is required"},
	"tcy-sender-hours":         {"T-CY template 2018", "the requesting authority's office hours are required"},
	"tcy-sender-zone":          {"T-CY template 2018", "the requesting authority's time zone is required"},

	// traffic-path: Art. 30; UN Art. 43.
	"art30-preservation": {"Art. 30(1)", "the id of the preservation request this answers is required"},
	"art30-provider":     {"Art. 30(1)", "the service provider in the other state is required"},
	"art30-country":      {"Art. 30(1)", "the country of that provider is required, so the requester can ask it"},
	"art30-identifiers":  {"Art. 30(1)", "the identifiers to ask that provider about are required"},
	"art30-time":         {"Art. 30(1)", "each identifier needs the time of the communication"},

	// mla-followup: Art. 31; T-CY template 2018.
	"art31-preservation": {"Art. 29(2)(f), 31", "the id of the preservation request this follows up is required"},
	"art31-date":         {"T-CY template 2018 (Art. 31)", "the date of the MLA request is required"},
	"art31-ticket":       {"T-CY template 2018 (Art. 31)", "the MLA request's ticket number is required"},
	"art31-channel":      {"T-CY template 2018 (Art. 31)", "the channel used for the MLA request is required"},
	"art31-requesting":   {"T-CY template 2018 (Art. 31)", "the authority that issued the MLA request is required"},
	"art31-executing":    {"T-CY template 2018 (Art. 31)", "the executing authority is required"},

	// realtime-traffic: Art. 33; interception: Art. 34.
	"art33-communications": {"Art. 33(1)", "the specified communications are required"},
	"art33-period":         {"Art. 33", "the collection period is required"},
	"art33-basis":          {"Art. 33(2)", "the domestic legal basis is required"},
	"art34-communications": {"Art. 34", "the specified communications are required"},
	"art34-period":         {"Art. 34", "the interception period is required"},
	"art34-basis":          {"Art. 34", "the domestic legal basis is required"},

	// emergency-disclosure: Protocol Art. 9(3).
	"p9-3-a":            {"Protocol Art. 9(3)(a)", "the date of issue is required (the competent authority is the requesting authority)"},
	"p9-3-b":            {"Protocol Art. 9(3)(b)", "a statement that the request is issued under the Protocol is required"},
	"p9-3-c":            {"Protocol Art. 9(3)(c)", "the provider's name is required"},
	"p9-3-c-address":    {"Protocol Art. 9(3)(c)", "the provider's address is required"},
	"p9-3-d":            {"Protocol Art. 9(3)(d)", "the offence is required"},
	"p9-3-d-provisions": {"Protocol Art. 9(3)(d)", "the legal provisions of the offence are required"},
	"p9-3-d-penalties":  {"Protocol Art. 9(3)(d)", "the applicable penalties are required"},
	"p9-3-e":            {"Protocol Art. 9(3)(e)", "the facts that demonstrate the emergency are required"},
	"p9-3-e-relation":   {"Protocol Art. 9(3)(e)", "how the data relate to the emergency is required"},
	"p9-3-f":            {"Protocol Art. 9(3)(f)", "a detailed description of the data is required"},

	// emergency-mla: Protocol Art. 10 with Art. 27.
	"p10-offence":    {"Protocol Art. 10(3); Art. 27", "the subject and nature of the investigation are required"},
	"p10-facts":      {"Protocol Art. 10(3); Art. 27", "a summary of the facts is required"},
	"p10-assistance": {"Protocol Art. 10(3); Art. 27", "the assistance sought is required"},
	"p10-emergency":  {"Protocol Art. 10(3)", "the facts that demonstrate the emergency are required"},

	// subscriber-direct: Protocol Art. 7(3), 7(4), 7(5).
	"p7-3-a":         {"Protocol Art. 7(3)(a)", "the date of issue is required (the issuing authority is the requesting authority)"},
	"p7-3-b":         {"Protocol Art. 7(3)(b)", "a statement that the order is issued under the Protocol is required"},
	"p7-3-c":         {"Protocol Art. 7(3)(c)", "the provider's name is required"},
	"p7-3-c-address": {"Protocol Art. 7(3)(c)", "the provider's address is required"},
	"p7-3-d":         {"Protocol Art. 7(3)(d)", "the offence is required"},
	"p7-3-e":         {"Protocol Art. 7(3)(e)", "the authority seeking the data is required"},
	"p7-3-f":         {"Protocol Art. 7(3)(f)", "a detailed description of the subscriber information is required"},
	"p7-4-a":         {"Protocol Art. 7(4)(a)", "the domestic legal grounds are required"},
	"p7-4-b":         {"Protocol Art. 7(4)(b)", "the legal provisions and penalties are required"},
	"p7-4-c":         {"Protocol Art. 7(4)(c)", "the contact that receives the data is required"},
	"p7-4-d":         {"Protocol Art. 7(4)(d)", "the time frame and manner of reply are required"},
	"p7-4-e":         {"Protocol Art. 7(4)(e)", "say whether preservation was already sought"},
	"p7-4-e-ref":     {"Protocol Art. 7(4)(e)", "when preservation was sought, its reference is required"},
	"p7-5":           {"Protocol Art. 7(5)", "say whether the provider country's notification authority was sent a copy"},

	// production-order: Protocol Art. 8(3).
	"p8-3-order":            {"Protocol Art. 8(3)(a)", "the order is required"},
	"p8-3-supporting":       {"Protocol Art. 8(3)(b)", "the supporting information is required"},
	"p8-data-kind":          {"Protocol Art. 8(7)", "say whether subscriber information (20 days) or traffic data (45 days) is sought"},
	"p8-3-a-date":           {"Protocol Art. 8(3)(a); 7(3)(a)", "the date of issue is required"},
	"p8-3-a-statement":      {"Protocol Art. 8(3)(a); 7(3)(b)", "a statement that the order is issued under the Protocol is required"},
	"p8-3-a-provider":       {"Protocol Art. 8(3)(a); 7(3)(c)", "the provider's name is required"},
	"p8-3-a-address":        {"Protocol Art. 8(3)(a); 7(3)(c)", "the provider's address is required"},
	"p8-3-a-offence":        {"Protocol Art. 8(3)(a); 7(3)(d)", "the offence is required"},
	"p8-3-a-authority":      {"Protocol Art. 8(3)(a); 7(3)(e)", "the authority seeking the data is required"},
	"p8-3-a-data":           {"Protocol Art. 8(3)(a); 7(3)(f)", "a detailed description of the information sought is required"},
	"p8-4-grounds":          {"Protocol Art. 8(4)(a)", "the domestic legal grounds are required"},
	"p8-4-penalties":        {"Protocol Art. 8(4)(a)", "the legal provisions and penalties are required"},
	"p8-4-holds":            {"Protocol Art. 8(4)(b)", "why the provider is believed to hold the data is required"},
	"p8-4-facts":            {"Protocol Art. 8(4)(c)", "a summary of the facts is required"},
	"p8-4-relevance":        {"Protocol Art. 8(4)(d)", "the relevance of the data to the investigation is required"},
	"p8-4-contact":          {"Protocol Art. 8(4)(e)", "the contact that receives the data is required"},
	"p8-4-preservation":     {"Protocol Art. 8(4)(f)", "say whether preservation was already sought"},
	"p8-4-preservation-ref": {"Protocol Art. 8(4)(f)", "when preservation was sought, its reference is required"},

	// domain-registration: Protocol Art. 6(3).
	"p6-3-a": {"Protocol Art. 6(3)(a)", "the date of issue is required (the issuing authority is the requesting authority)"},
	"p6-3-b": {"Protocol Art. 6(3)(b)", "the purpose statement is required: issued under the Protocol, relevant to a specific criminal investigation, used only for it"},
	"p6-3-c": {"Protocol Art. 6(3)(c)", "the domain name is required"},
	"p6-3-d": {"Protocol Art. 6(3)(d)", "the registration data elements wanted are required"},
	"p6-3-f": {"Protocol Art. 6(3)", "the time frame and manner of reply are required"},

	// spontaneous-info: Art. 26; assistance: Art. 35(1).
	"art26-1": {"Art. 26(1)", "the information is required"},
	"art26-2": {"Art. 26(2)", "the conditions of use are required, so the receiver can accept them or say it cannot"},
	"art35-1": {"Art. 35(1)", "the question is required"},
}

// extraRequirement is a common field that one request type makes
// required. It is data, read by both the validator and the schema
// generator, so the two agree.
type extraRequirement struct {
	Path string // dotted JSON path from the request root
	Rule string
}

// typeRequires lists the per-type requirements on fields that are optional
// in general.
var typeRequires = map[Type][]extraRequirement{
	TypePreserve: {
		{"requesting.office_hours", "tcy-sender-hours"},
		{"requesting.time_zone", "tcy-sender-zone"},
	},
	TypeTrafficPath:         {{"traffic_path.provider.country", "art30-country"}},
	TypeEmergencyDisclosure: {{"emergency_disclosure.provider.address", "p9-3-c-address"}},
	TypeSubscriberDirect:    {{"subscriber_direct.provider.address", "p7-3-c-address"}},
	TypeProductionOrder:     {{"production_order.order.provider.address", "p8-3-a-address"}},
	TypeSpontaneousInfo:     {{"handling.conditions", "art26-2"}},
}
