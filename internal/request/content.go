package request

// The per-type content of a request. Field tags: `json` is the wire name,
// `rule` marks a required field and names the rule in Rules that explains
// why (its legal source), `enum` lists allowed values, `const:"true"` marks
// a statement that must be made (a boolean that must be true), `doc` is the
// JSON Schema description.

// DataItem is one category of data a request is about.
type DataItem struct {
	Category    string       `json:"category" rule:"data-category" enum:"subscriber,traffic,content" doc:"subscriber, traffic or content data" label:"Category"`
	Description string       `json:"description" rule:"data-description" doc:"what exactly is wanted" label:"Data"`
	Identifiers []Identifier `json:"identifiers,omitempty" doc:"the identifiers the data is looked up by" label:"Identifiers"`
}

// Identifier kinds. An IP identifier is checked hard: public address,
// source port, a time with a zone.
const (
	IdentIP      = "ip"
	IdentDomain  = "domain"
	IdentEmail   = "email"
	IdentAccount = "account"
	IdentURL     = "url"
	IdentPhone   = "phone"
	IdentHash    = "hash"
	IdentOther   = "other"
)

// Identifier is a precise pointer to data: an IP with port and time, an
// account, a domain.
type Identifier struct {
	Kind  string    `json:"kind" rule:"identifier-kind" enum:"ip,domain,email,account,url,phone,hash,other" doc:"kind of identifier"`
	Value string    `json:"value" rule:"identifier-value" doc:"the identifier itself"`
	Port  int       `json:"port,omitempty" doc:"source port (needed behind carrier-grade NAT)"`
	Time  Timestamp `json:"time,omitzero" doc:"UTC time to the second, RFC 3339 with a zone (required for IP addresses)"`
}

// PathIdentifier is an identifier in a traffic-path answer: there the
// time of the communication is always required (Art. 30(1)).
type PathIdentifier struct {
	Kind  string    `json:"kind" rule:"identifier-kind" enum:"ip,domain,email,account,url,phone,hash,other" doc:"kind of identifier"`
	Value string    `json:"value" rule:"identifier-value" doc:"the identifier itself"`
	Port  int       `json:"port,omitempty" doc:"source port (needed behind carrier-grade NAT)"`
	Time  Timestamp `json:"time" rule:"art30-time" doc:"UTC time of the communication, RFC 3339 with a zone"`
}

// Identifier returns p as a plain Identifier.
func (p PathIdentifier) Identifier() Identifier {
	return Identifier(p)
}

// Provider is a service provider or registrar.
type Provider struct {
	Name    string `json:"name" rule:"provider-name" doc:"provider's name"`
	Address string `json:"address,omitempty" doc:"provider's postal address"`
	Country string `json:"country,omitempty" doc:"ISO 3166-1 alpha-2 code of the provider's country"`
}

// Period is a time interval, both ends with a zone.
type Period struct {
	From Timestamp `json:"from" rule:"period-from" doc:"start, RFC 3339 with a zone"`
	To   Timestamp `json:"to" rule:"period-to" doc:"end, RFC 3339 with a zone"`
}

// Preserve is an expedited preservation request (Budapest Art. 29, UN Art.
// 42, T-CY template 2018).
type Preserve struct {
	Status              string     `json:"status" rule:"tcy-status" enum:"new,extension" doc:"new request or extension of an earlier one" label:"New or extension"`
	ExtendsRef          string     `json:"extends_ref,omitempty" doc:"reference of the earlier request (required for an extension)"`
	Offence             string     `json:"offence" rule:"art29-2-b-offence" doc:"the offence under investigation"`
	Facts               string     `json:"facts" rule:"art29-2-b-facts" doc:"a brief summary of the related facts"`
	Data                []DataItem `json:"data" rule:"art29-2-c-data" doc:"the stored data to be preserved"`
	Relation            string     `json:"relation" rule:"art29-2-c-relation" doc:"how the data relate to the offence"`
	Custodian           string     `json:"custodian" rule:"art29-2-d" doc:"what is known of the custodian or the location of the system"`
	Necessity           string     `json:"necessity" rule:"art29-2-e" doc:"why preservation is necessary"`
	MLAWillFollow       *bool      `json:"mla_will_follow" rule:"art29-2-f" const:"true" doc:"statement that a mutual legal assistance request will follow"`
	ReplyChannel        string     `json:"reply_channel" rule:"tcy-reply-channel" enum:"node,email,phone,fax" doc:"preferred reply channel"`
	ConfirmationContact *Contact   `json:"confirmation_contact" rule:"tcy-confirmation-contact" doc:"a person to call for confirmation"`
	Provider            *Provider  `json:"provider,omitempty" doc:"the provider, when known"`
}

// TrafficPath is the expedited disclosure of preserved traffic data that
// shows a provider in a third state (Budapest Art. 30, UN Art. 43).
type TrafficPath struct {
	PreservationID string           `json:"preservation_id" rule:"art30-preservation" doc:"id of the preservation request this answers"`
	Provider       Provider         `json:"provider" rule:"art30-provider" doc:"the provider in the third state"`
	Identifiers    []PathIdentifier `json:"identifiers" rule:"art30-identifiers" doc:"the identifiers and times to ask that provider about"`
	Path           string           `json:"path,omitempty" doc:"how the communication was transmitted"`
}

// MLAFollowup records the formal MLA request that follows a preservation
// (Budapest Art. 29(2)(f) and 31, T-CY template 2018 for Art. 31).
type MLAFollowup struct {
	PreservationID      string    `json:"preservation_id" rule:"art31-preservation" doc:"id of the preservation request this follows up"`
	MLADate             Timestamp `json:"mla_date" rule:"art31-date" doc:"date the MLA request was sent"`
	Ticket              string    `json:"ticket" rule:"art31-ticket" doc:"the MLA request's ticket or file number"`
	Channel             string    `json:"channel" rule:"art31-channel" enum:"central-authority,diplomatic,direct,electronic,post" doc:"channel used"`
	RequestingAuthority string    `json:"requesting_authority" rule:"art31-requesting" doc:"authority that issued the MLA request"`
	ExecutingAuthority  string    `json:"executing_authority" rule:"art31-executing" doc:"authority expected to execute it"`
}

// LiveCollection is real-time collection of traffic data (Art. 33), run by
// art35 as a watch that relays each event.
type LiveCollection struct {
	Communications []Identifier `json:"communications" rule:"art33-communications" doc:"the specified communications (accounts, addresses)"`
	Period         Period       `json:"period" rule:"art33-period" doc:"collection period"`
	DomesticBasis  string       `json:"domestic_basis" rule:"art33-basis" doc:"domestic legal basis for the collection"`
	Offence        string       `json:"offence,omitempty" doc:"offence under investigation"`
}

// Interception is live interception of content (Art. 34). art35 records
// and tracks it; content never flows through art35.
type Interception struct {
	Communications []Identifier `json:"communications" rule:"art34-communications" doc:"the specified communications"`
	Period         Period       `json:"period" rule:"art34-period" doc:"interception period"`
	DomesticBasis  string       `json:"domestic_basis" rule:"art34-basis" doc:"domestic legal basis for the interception"`
	Offence        string       `json:"offence,omitempty" doc:"serious offence under investigation"`
}

// EmergencyDisclosure is a Protocol Art. 9 request for immediate disclosure
// of stored data when a life is at significant and imminent risk.
type EmergencyDisclosure struct {
	IssuedAt            Timestamp  `json:"issued_at" rule:"p9-3-a" doc:"date of issue"`
	ProtocolStatement   *bool      `json:"protocol_statement" rule:"p9-3-b" const:"true" doc:"statement that the request is issued under the Second Additional Protocol"`
	Provider            Provider   `json:"provider" rule:"p9-3-c" doc:"provider's name and address"`
	Offence             string     `json:"offence" rule:"p9-3-d" doc:"the offence"`
	LegalProvisions     string     `json:"legal_provisions" rule:"p9-3-d-provisions" doc:"legal provisions of the offence"`
	Penalties           string     `json:"penalties" rule:"p9-3-d-penalties" doc:"applicable penalties"`
	EmergencyFacts      string     `json:"emergency_facts" rule:"p9-3-e" doc:"facts that show the emergency"`
	DataRelation        string     `json:"data_relation" rule:"p9-3-e-relation" doc:"how the data relate to the emergency"`
	Data                []DataItem `json:"data" rule:"p9-3-f" doc:"detailed description of the data"`
	SpecialInstructions string     `json:"special_instructions,omitempty" doc:"special procedural instructions"`
	ByPhoneFirst        bool       `json:"by_phone_first,omitempty" doc:"the request was first made by phone; this signed form confirms it"`
}

// EmergencyMLA is a Protocol Art. 10 emergency mutual assistance request:
// the content of an Art. 27 request plus the emergency facts.
type EmergencyMLA struct {
	Offence          string     `json:"offence" rule:"p10-offence" doc:"subject and nature of the investigation"`
	Facts            string     `json:"facts" rule:"p10-facts" doc:"summary of facts"`
	AssistanceSought string     `json:"assistance_sought" rule:"p10-assistance" doc:"the assistance sought"`
	EmergencyFacts   string     `json:"emergency_facts" rule:"p10-emergency" doc:"facts that show the emergency"`
	Data             []DataItem `json:"data,omitempty" doc:"data sought, if any"`
}

// SubscriberDirect is a Protocol Art. 7 order sent straight to a provider
// in another party.
type SubscriberDirect struct {
	IssuedAt           Timestamp    `json:"issued_at" rule:"p7-3-a" doc:"date of issue"`
	ProtocolStatement  *bool        `json:"protocol_statement" rule:"p7-3-b" const:"true" doc:"statement that the order is issued under the Second Additional Protocol"`
	Provider           Provider     `json:"provider" rule:"p7-3-c" doc:"provider's name and address"`
	Offence            string       `json:"offence" rule:"p7-3-d" doc:"the offence"`
	DataAuthority      string       `json:"data_authority" rule:"p7-3-e" doc:"the authority seeking the data"`
	SubscriberData     string       `json:"subscriber_data" rule:"p7-3-f" doc:"detailed description of the subscriber information"`
	Identifiers        []Identifier `json:"identifiers,omitempty" doc:"identifiers the data is looked up by"`
	LegalGrounds       string       `json:"legal_grounds" rule:"p7-4-a" doc:"domestic legal grounds for the order"`
	Penalties          string       `json:"penalties" rule:"p7-4-b" doc:"legal provisions and penalties"`
	ReplyContact       *Contact     `json:"reply_contact" rule:"p7-4-c" doc:"who receives the data"`
	TimeFrame          string       `json:"time_frame" rule:"p7-4-d" doc:"time frame and manner of reply"`
	PreservationSought *bool        `json:"preservation_sought" rule:"p7-4-e" doc:"whether preservation was already sought"`
	PreservationRef    string       `json:"preservation_ref,omitempty" doc:"reference of that preservation (required when sought)"`
	NotificationGiven  *bool        `json:"notification_given" rule:"p7-5" doc:"whether the provider country's notification authority was sent a copy"`
}

// ProductionOrder is a Protocol Art. 8 request that the requested party
// make an order binding on its provider. Order is what the provider sees;
// Supporting is never shown to the provider without the issuer's consent.
type ProductionOrder struct {
	Order      ProviderOrder      `json:"order" rule:"p8-3-order" doc:"the order, as the provider will see it"`
	Supporting SupportingInfo     `json:"supporting" rule:"p8-3-supporting" doc:"supporting information for the requested authority only"`
	DataKind   string             `json:"data_kind" rule:"p8-data-kind" enum:"subscriber,traffic" doc:"subscriber information (20-day clock) or traffic data (45-day clock)"`
	Consent    *ProviderDisclosed `json:"provider_may_see_supporting,omitempty" doc:"issuer's consent to show the supporting information to the provider"`
}

// ProviderDisclosed records consent to show supporting information to a
// provider.
type ProviderDisclosed struct {
	By string `json:"by" rule:"consent-by" doc:"who consented"`
}

// ProviderOrder is the part of an Art. 8 order the provider sees (Art. 8(3)(a)).
type ProviderOrder struct {
	IssuedAt          Timestamp    `json:"issued_at" rule:"p8-3-a-date" doc:"issuing authority's date of issue"`
	ProtocolStatement *bool        `json:"protocol_statement" rule:"p8-3-a-statement" const:"true" doc:"statement that the order is issued under the Second Additional Protocol"`
	Provider          Provider     `json:"provider" rule:"p8-3-a-provider" doc:"provider's name and address"`
	Offence           string       `json:"offence" rule:"p8-3-a-offence" doc:"the offence"`
	DataAuthority     string       `json:"data_authority" rule:"p8-3-a-authority" doc:"the authority seeking the data"`
	DataDescription   string       `json:"data_description" rule:"p8-3-a-data" doc:"detailed description of the information sought"`
	Identifiers       []Identifier `json:"identifiers,omitempty" doc:"identifiers the data is looked up by"`
}

// SupportingInfo is Art. 8(3)(b) supporting information.
type SupportingInfo struct {
	LegalGrounds       string   `json:"legal_grounds" rule:"p8-4-grounds" doc:"domestic legal grounds"`
	Penalties          string   `json:"penalties" rule:"p8-4-penalties" doc:"legal provisions and penalties"`
	ProviderHolds      string   `json:"provider_holds" rule:"p8-4-holds" doc:"why the provider is believed to hold the data"`
	Facts              string   `json:"facts" rule:"p8-4-facts" doc:"summary of facts"`
	Relevance          string   `json:"relevance" rule:"p8-4-relevance" doc:"relevance of the data to the investigation"`
	ReplyContact       *Contact `json:"reply_contact" rule:"p8-4-contact" doc:"who receives the data"`
	PreservationSought *bool    `json:"preservation_sought" rule:"p8-4-preservation" doc:"whether preservation was already sought"`
	PreservationRef    string   `json:"preservation_ref,omitempty" doc:"reference of that preservation (required when sought)"`
}

// DomainRegistration is a Protocol Art. 6 request to a registrar.
type DomainRegistration struct {
	IssuedAt     Timestamp `json:"issued_at" rule:"p6-3-a" doc:"date of issue"`
	Domain       string    `json:"domain" rule:"p6-3-c" doc:"the domain name"`
	DataElements []string  `json:"data_elements" rule:"p6-3-d" doc:"the registration data elements wanted"`
	Purpose      string    `json:"purpose" rule:"p6-3-b" doc:"statement that the request is issued under the Protocol for a specific criminal investigation and the data will only be used for it"`
	TimeFrame    string    `json:"time_frame" rule:"p6-3-f" doc:"time frame and manner of reply"`
	Registrar    *Provider `json:"registrar,omitempty" doc:"the registrar, when known"`
}

// SpontaneousInfo is information sent without being asked (Art. 26). Its
// use conditions are the request's handling conditions, which are then
// required.
type SpontaneousInfo struct {
	Information string `json:"information" rule:"art26-1" doc:"the information, or a summary of it"`
}

// Assistance is a request for technical advice, legal information or help
// locating a suspect (Art. 35(1)).
type Assistance struct {
	Question string `json:"question" rule:"art35-1" doc:"the question"`
}

// Ping is a test that a person at the point of contact answers.
type Ping struct {
	Challenge string `json:"challenge,omitempty" doc:"the challenge the person on duty must answer"`
}
