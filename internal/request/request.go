// Package request is the domain of art35's cooperation requests: the
// request types of the 24/7 network (Budapest Convention, its
// Second Additional Protocol, the 2024 UN Convention, EU Regulation
// 2023/1543 and network practice), the checklist each must pass before it
// may be sent, its lifecycle and evidences, its legal clocks, the chains of
// linked requests and the formal letter. It does no I/O: storage and
// transport live elsewhere and call into it, so every rule can be tested
// with a fixed clock and plain values.
package request

import "slices"

// Type names a kind of request. The values are the ones users type and
// that travel in JSON, so they are stable.
type Type string

// The request types of SPEC section 5.
const (
	TypePreserve            Type = "preserve"
	TypeTrafficPath         Type = "traffic-path"
	TypeMLAFollowup         Type = "mla-followup"
	TypeRealtimeTraffic     Type = "realtime-traffic"
	TypeInterception        Type = "interception"
	TypeEmergencyDisclosure Type = "emergency-disclosure"
	TypeEmergencyMLA        Type = "emergency-mla"
	TypeSubscriberDirect    Type = "subscriber-direct"
	TypeProductionOrder     Type = "production-order"
	TypeDomainRegistration  Type = "domain-registration"
	TypeSpontaneousInfo     Type = "spontaneous-info"
	TypeAssistance          Type = "assistance"
	TypePing                Type = "ping"
	// TypeEPOC is a European Production Order Certificate (Regulation
	// (EU) 2023/1543, Annex I), sent to a provider in another member state.
	TypeEPOC Type = "epoc"
	// TypeEPOCPR is a European Preservation Order Certificate (Regulation
	// (EU) 2023/1543, Annex II).
	TypeEPOCPR Type = "epoc-pr"
)

// Types lists every request type in the order of SPEC section 5.
var Types = []Type{
	TypePreserve, TypeTrafficPath, TypeMLAFollowup, TypeRealtimeTraffic,
	TypeInterception, TypeEmergencyDisclosure, TypeEmergencyMLA,
	TypeSubscriberDirect, TypeProductionOrder, TypeDomainRegistration,
	TypeSpontaneousInfo, TypeAssistance, TypePing, TypeEPOC, TypeEPOCPR,
}

// Preserves reports whether a request of type t asks for data to be
// preserved (and so may reach the "preserved" state).
func (t Type) Preserves() bool { return t == TypePreserve || t == TypeEPOCPR }

// Valid reports whether t is one of Types.
func (t Type) Valid() bool { return slices.Contains(Types, t) }

// Priority decides the acknowledgement clock (SPEC section 6).
type Priority string

// Priorities, from the most to the least pressing.
const (
	PriorityEmergency Priority = "emergency"
	PriorityUrgent    Priority = "urgent"
	PriorityRoutine   Priority = "routine"
)

// Instrument is the legal instrument a request is based on. The route
// package decides which instruments are open between two parties; the
// request only records the one chosen.
type Instrument string

// Instruments known to art35.
const (
	InstrumentBudapest  Instrument = "budapest"     // ETS 185
	InstrumentProtocol2 Instrument = "protocol2"    // CETS 224
	InstrumentUN2024    Instrument = "un2024"       // UN Convention against Cybercrime
	InstrumentEU        Instrument = "eu-2023-1543" // EU e-evidence Regulation
	InstrumentG7        Instrument = "g7"           // G7 24/7 network practice
	InstrumentBilateral Instrument = "bilateral"    // a bilateral MLA treaty
	InstrumentPractice  Instrument = "practice"     // network practice (ping, informal advice)
)

// HandlingCode says what the receiver may do with a message (SPEC section 7).
// Codes only get stricter when a message is forwarded: H0 < H1 < H2 < H3.
type HandlingCode string

// Handling codes.
const (
	H0 HandlingCode = "H0" // use only for preventing and fighting crime
	H1 HandlingCode = "H1" // not for judicial proceedings without the sender's permission
	H2 HandlingCode = "H2" // not to be passed on without permission
	H3 HandlingCode = "H3" // other conditions, stated
)

// Request is one cooperation request. The common fields are those every
// request carries (SPEC section 5); exactly one of the per-type content
// pointers is set, the one named by Type. Struct tags drive both the
// validator's "required" checks and the generated JSON Schema, so the two
// cannot drift: `rule:"ID"` marks a required field and names the rule (see
// Rules) that explains it.
type Request struct {
	ID          string      `json:"id" rule:"common-id" doc:"network-wide unique id, e.g. IT-2026-000123"`
	Type        Type        `json:"type" rule:"common-type" doc:"request type"`
	SenderRef   string      `json:"sender_ref" rule:"common-sender-ref" doc:"the sender's own reference number"`
	CreatedAt   Timestamp   `json:"created_at" rule:"common-created-at" doc:"when the request was issued, RFC 3339 with a zone"`
	Requesting  Authority   `json:"requesting" rule:"common-requesting" doc:"the requesting authority"`
	Requested   Authority   `json:"requested" rule:"common-requested" doc:"the requested authority"`
	Priority    Priority    `json:"priority" rule:"common-priority" enum:"emergency,urgent,routine" doc:"emergency, urgent or routine"`
	LegalBasis  LegalBasis  `json:"legal_basis" rule:"common-legal-basis" doc:"instrument and article the request relies on"`
	Language    string      `json:"language" rule:"common-language" doc:"ISO 639-1 code of the request's language, e.g. en"`
	Translation *Attachment `json:"translation,omitempty" doc:"a translation into a language the requested authority accepts (Protocol Art. 4)"`
	Handling    Handling    `json:"handling" rule:"common-handling" doc:"handling code and use conditions"`
	Links       []Link      `json:"links,omitempty" doc:"links to earlier requests"`

	Preserve            *Preserve            `json:"preserve,omitempty" content:"preserve"`
	TrafficPath         *TrafficPath         `json:"traffic_path,omitempty" content:"traffic-path"`
	MLAFollowup         *MLAFollowup         `json:"mla_followup,omitempty" content:"mla-followup"`
	RealtimeTraffic     *LiveCollection      `json:"realtime_traffic,omitempty" content:"realtime-traffic"`
	Interception        *Interception        `json:"interception,omitempty" content:"interception"`
	EmergencyDisclosure *EmergencyDisclosure `json:"emergency_disclosure,omitempty" content:"emergency-disclosure"`
	EmergencyMLA        *EmergencyMLA        `json:"emergency_mla,omitempty" content:"emergency-mla"`
	SubscriberDirect    *SubscriberDirect    `json:"subscriber_direct,omitempty" content:"subscriber-direct"`
	ProductionOrder     *ProductionOrder     `json:"production_order,omitempty" content:"production-order"`
	DomainRegistration  *DomainRegistration  `json:"domain_registration,omitempty" content:"domain-registration"`
	SpontaneousInfo     *SpontaneousInfo     `json:"spontaneous_info,omitempty" content:"spontaneous-info"`
	Assistance          *Assistance          `json:"assistance,omitempty" content:"assistance"`
	Ping                *Ping                `json:"ping,omitempty" content:"ping,optional"`
	EPOC                *EPOC                `json:"epoc,omitempty" content:"epoc"`
	EPOCPR              *EPOCPR              `json:"epoc_pr,omitempty" content:"epoc-pr"`
}

// Authority is a requesting or requested authority as named in a request.
// The directory holds the full record; the request carries what a reader
// of the letter needs without it.
type Authority struct {
	Party       string   `json:"party" rule:"authority-party" doc:"ISO 3166-1 alpha-2 code of the party, e.g. IT"`
	Name        string   `json:"name" rule:"authority-name" doc:"name of the authority"`
	Kind        string   `json:"kind,omitempty" enum:"police,prosecution,ministry,court,provider,secretariat" doc:"kind of authority"`
	Address     string   `json:"address,omitempty" doc:"postal address"`
	OfficeHours string   `json:"office_hours,omitempty" doc:"office hours, e.g. Mon-Fri 08:00-18:00, 24/7 duty line"`
	TimeZone    string   `json:"time_zone,omitempty" doc:"IANA time zone, e.g. Europe/Rome"`
	Contact     *Contact `json:"contact,omitempty" doc:"the person handling this request"`
}

// Contact is a person to reach about a request.
type Contact struct {
	Name  string `json:"name" rule:"contact-name" doc:"full name" label:"Name"`
	Phone string `json:"phone" rule:"contact-phone" doc:"phone in international form, e.g. +00 1 555 0100; the number called back to confirm" label:"Phone"`
	Email string `json:"email,omitempty" doc:"e-mail address" label:"E-mail"`
}

// LegalBasis records the instrument and article a request relies on.
type LegalBasis struct {
	Instrument Instrument `json:"instrument" rule:"legal-basis-instrument" enum:"budapest,protocol2,un2024,eu-2023-1543,g7,bilateral,practice" doc:"instrument"`
	Article    string     `json:"article,omitempty" doc:"article, e.g. 29"`
	Text       string     `json:"text,omitempty" doc:"free text, e.g. the bilateral treaty's name"`
}

// Attachment is a file that travels with a request (a translation, a scan
// of a signed order). Only its description and digest are part of the
// request; the bytes travel in the envelope.
type Attachment struct {
	Language string `json:"language" rule:"translation-language" doc:"ISO 639-1 code of the attachment's language"`
	Filename string `json:"filename" rule:"attachment-filename" doc:"file name"`
	SHA256   string `json:"sha256,omitempty" doc:"hex SHA-256 of the file"`
}

// Handling is the handling code and the use conditions of a message.
type Handling struct {
	Code       HandlingCode `json:"code" rule:"handling-code" enum:"H0,H1,H2,H3" doc:"H0 crime only, H1 not for court, H2 not onward, H3 other conditions"`
	Conditions []string     `json:"conditions,omitempty" doc:"use conditions (Art. 26, 28), required with H3"`
}

// Link relations between requests.
const (
	RelExtends     = "extends"      // an extension of an earlier preservation
	RelFollowsUp   = "follows-up"   // an MLA request following a preservation
	RelTrafficPath = "traffic-path" // a preserve sent on a traffic-path answer
	RelAnswers     = "answers"      // an answer to an earlier request
	RelRelated     = "related"      // any other relation
)

// Link points at an earlier request.
type Link struct {
	Rel string `json:"rel" rule:"link-rel" enum:"extends,follows-up,traffic-path,answers,related" doc:"relation to the linked request"`
	ID  string `json:"id" rule:"link-id" doc:"network-wide id of the linked request"`
	Ref string `json:"ref,omitempty" doc:"the other side's reference, when known"`
}

// Content returns the per-type content that matches r.Type, or nil.
func (r *Request) Content() any {
	switch r.Type {
	case TypePreserve:
		return nilIfNil(r.Preserve)
	case TypeTrafficPath:
		return nilIfNil(r.TrafficPath)
	case TypeMLAFollowup:
		return nilIfNil(r.MLAFollowup)
	case TypeRealtimeTraffic:
		return nilIfNil(r.RealtimeTraffic)
	case TypeInterception:
		return nilIfNil(r.Interception)
	case TypeEmergencyDisclosure:
		return nilIfNil(r.EmergencyDisclosure)
	case TypeEmergencyMLA:
		return nilIfNil(r.EmergencyMLA)
	case TypeSubscriberDirect:
		return nilIfNil(r.SubscriberDirect)
	case TypeProductionOrder:
		return nilIfNil(r.ProductionOrder)
	case TypeDomainRegistration:
		return nilIfNil(r.DomainRegistration)
	case TypeSpontaneousInfo:
		return nilIfNil(r.SpontaneousInfo)
	case TypeAssistance:
		return nilIfNil(r.Assistance)
	case TypePing:
		return nilIfNil(r.Ping)
	case TypeEPOC:
		return nilIfNil(r.EPOC)
	case TypeEPOCPR:
		return nilIfNil(r.EPOCPR)
	}
	return nil
}

func nilIfNil[T any](p *T) any {
	if p == nil {
		return nil
	}
	return p
}

// LinkTo returns the first link with the given relation, if any.
func (r *Request) LinkTo(rel string) (Link, bool) {
	for _, l := range r.Links {
		if l.Rel == rel {
			return l, true
		}
	}
	return Link{}, false
}
