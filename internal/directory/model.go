// Package directory is the directory of the 24/7 network (SPEC section 4):
// the parties, their status and dates under each instrument (Budapest
// Convention, its Second Additional Protocol, the 2024 UN Convention against
// Cybercrime, EU Regulation 2023/1543), the reservations and declarations
// that change routing, the authorities with their contact channels, duty
// hours, node endpoints and keys, the people on the roster and each
// country's legal profile.
//
// The secretariat publishes the directory as a signed, numbered, dated
// Snapshot; every node verifies it against the secretariat's pinned key and
// refuses rollbacks and expired snapshots (sign.go). The package also merges
// two source lists (merge.go) and compares two snapshots (diff.go).
//
// Dates that we do not know are absent (the zero Date), never guessed: a
// blank means "not known", not "no". Every party keeps the confidence flag
// of the row it was built from.
package directory

import (
	_ "time/tzdata" // authorities name IANA zones; the binary must know them on any machine

	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// FormatVersion names the structure of a Snapshot. A node refuses a snapshot
// whose format it does not know rather than misreading it.
const FormatVersion = "art35-directory/1"

// Instrument names one legal instrument a party can be bound by.
type Instrument string

// The instruments the directory tracks. EU is Regulation (EU) 2023/1543 on
// European production and preservation orders; it is an instrument for
// routing purposes even though it has no signatures or deposits.
const (
	Budapest  Instrument = "budapest"  // Convention on Cybercrime, ETS 185 (2001)
	Protocol2 Instrument = "protocol2" // Second Additional Protocol, CETS 224 (2022)
	UN2024    Instrument = "un2024"    // UN Convention against Cybercrime (2024)
	EU        Instrument = "eu"        // Regulation (EU) 2023/1543
)

// Instruments lists the instruments in the order they are shown.
var Instruments = []Instrument{Budapest, Protocol2, UN2024, EU}

// ParseInstrument accepts an instrument name as typed on a command line.
func ParseInstrument(s string) (Instrument, error) {
	switch Instrument(strings.ToLower(strings.TrimSpace(s))) {
	case Budapest, "ets185", "convention":
		return Budapest, nil
	case Protocol2, "cets224", "p2":
		return Protocol2, nil
	case UN2024, "un":
		return UN2024, nil
	case EU, "eu2023/1543":
		return EU, nil
	}
	return "", apperr.Errorf(apperr.EInvalid, "instrument %q is not known: use one of budapest, protocol2, un2024, eu", s)
}

// Status is a party's standing under a treaty.
type Status string

// Statuses, weakest first. "invited" is the Council of Europe's invitation
// to accede to the Budapest Convention. "unknown" is what a blank in a
// partial source list means: not known, which is not the same as "none".
const (
	StatusUnknown   Status = "unknown"
	StatusNone      Status = "none"
	StatusInvited   Status = "invited"
	StatusSignatory Status = "signatory"
	StatusParty     Status = "party" // ratified, accepted, approved or acceded
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusUnknown, StatusNone, StatusInvited, StatusSignatory, StatusParty:
		return true
	}
	return false
}

// DepositKind says how a party became bound: by ratification after
// signature, or by accession without it (Budapest Art. 37).
type DepositKind string

// Deposit kinds; "" means not known.
const (
	Ratification DepositKind = "ratification"
	Accession    DepositKind = "accession"
)

// InstrumentInfo is the status of an instrument itself: is it in force,
// since when, and what it needs to enter into force.
type InstrumentInfo struct {
	ID    Instrument `json:"id"`
	Title string     `json:"title"`
	// RatificationsNeeded is how many ratifications bring it into force
	// (Budapest 5 including 3 CoE members; Protocol 5; UN 2024 40).
	RatificationsNeeded int `json:"ratifications_needed,omitempty"`
	// InForce is the date it entered into force; zero if not in force or
	// not known to be.
	InForce Date   `json:"in_force,omitzero"`
	Rule    string `json:"rule"` // how entry into force for a later party is computed, with the article
	Note    string `json:"note,omitempty"`
	// Ratifications is how many parties of the snapshot have deposited an
	// instrument of ratification or accession (filled in by Complete).
	Ratifications int `json:"ratifications,omitempty"`
	// State says in words whether the instrument itself is in force, e.g.
	// "in force since 2004-07-01" or "not in force (3 of 5 ratifications)"
	// (filled in by Complete).
	State string `json:"state,omitempty"`
}

// InstrumentStatus is one party's standing under one instrument.
type InstrumentStatus struct {
	Status      Status      `json:"status"`
	Signed      Date        `json:"signed,omitzero"`
	Deposited   Date        `json:"deposited,omitzero"` // instrument of ratification or accession deposited
	DepositKind DepositKind `json:"deposit_kind,omitempty"`
	// InForce is the first day the instrument binds this party: computed
	// from Deposited by the instrument's rule (EntryIntoForce), or given by
	// the source. Zero when not known or not in force.
	InForce Date `json:"in_force,omitzero"`
	// InForceUndated is true for a party that the source lists as a party
	// to an instrument in force but whose date of entry into force is not
	// known: it is treated as bound, and shown as "date not known".
	InForceUndated bool   `json:"in_force_undated,omitempty"`
	Note           string `json:"note,omitempty"`
}

// BoundAt reports whether the instrument binds the party at the instant at.
func (s InstrumentStatus) BoundAt(at time.Time) bool {
	if s.Status != StatusParty {
		return false
	}
	if !s.InForce.IsZero() {
		return !at.Before(s.InForce.Time())
	}
	return s.InForceUndated
}

// EUStatus is EU membership and whether Regulation 2023/1543 (e-evidence)
// applies: Denmark is a member but not bound by it.
type EUStatus struct {
	Member          bool   `json:"member"`
	BoundBy20231543 bool   `json:"bound_by_2023_1543"`
	Note            string `json:"note,omitempty"`
}

// ReservationKind is a typed reservation or declaration that changes how a
// request may be routed to a party.
type ReservationKind string

// The reservations and declarations that routing reads.
const (
	// DualCriminality: Art. 29(4), preservation refused without dual criminality
	// (except for Art. 2-11 offences).
	DualCriminality ReservationKind = "art29-4-dual-criminality"
	// NoEmergencySubscriberOnly: Protocol Art. 9(1)(b), emergency requests
	// for subscriber information alone are not executed.
	NoEmergencySubscriberOnly ReservationKind = "p2-art9-1-b-no-subscriber-only"
	// NotificationRequired: Protocol Art. 7(5), orders to providers on its
	// territory must be notified to its notification authority.
	NotificationRequired ReservationKind = "p2-art7-5-notification"
	// CentralAuthorityOnly: Art. 27(9)(e), all requests go through the
	// central authority.
	CentralAuthorityOnly ReservationKind = "art27-9-e-central-authority-only"
)

// Valid reports whether k is one of the known kinds.
func (k ReservationKind) Valid() bool {
	switch k {
	case DualCriminality, NoEmergencySubscriberOnly, NotificationRequired, CentralAuthorityOnly:
		return true
	}
	return false
}

// Reservation is a reservation or declaration made by a party.
type Reservation struct {
	Kind   ReservationKind `json:"kind"`
	Text   string          `json:"text,omitempty"`
	Since  Date            `json:"since,omitzero"`
	Source string          `json:"source,omitempty"`
}

// Role is what an authority is designated for.
type Role string

// Authority roles (SPEC section 4).
const (
	RolePointOfContact   Role = "24/7"                 // Art. 35 point of contact
	RoleCentralAuthority Role = "central-authority"    // Art. 27(2)
	RoleExtradition      Role = "extradition"          // Art. 24(7)
	RoleNotification     Role = "p2-notification"      // Protocol Art. 7(5)
	RoleSending          Role = "p2-art8-sending"      // Protocol Art. 8 sending authority
	RoleReceiving        Role = "p2-art8-receiving"    // Protocol Art. 8 receiving authority
	RoleConsultation     Role = "p2-art6-consultation" // Protocol Art. 6 consultation authority
	RoleProvider         Role = "provider"             // a service provider's node (ISP, mail provider) in the party
	// RoleEUEnforcing is a member state's enforcing authority under
	// Regulation (EU) 2023/1543: it is notified of European Production
	// Orders for traffic and content data (Art. 8) and may raise grounds
	// for refusal (Art. 12).
	RoleEUEnforcing Role = "eu-enforcing"
)

// Roles lists the authority roles in display order.
var Roles = []Role{RolePointOfContact, RoleCentralAuthority, RoleExtradition, RoleNotification, RoleSending, RoleReceiving, RoleConsultation, RoleProvider, RoleEUEnforcing}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// AuthorityKind is the kind of body an authority is.
type AuthorityKind string

// Authority kinds; "" means not known.
const (
	KindPolice      AuthorityKind = "police"
	KindProsecution AuthorityKind = "prosecution"
	KindMinistry    AuthorityKind = "ministry"
	KindCourt       AuthorityKind = "court"
	KindOther       AuthorityKind = "other"
)

// Valid reports whether k is a known kind or unknown ("").
func (k AuthorityKind) Valid() bool {
	switch k {
	case "", KindPolice, KindProsecution, KindMinistry, KindCourt, KindOther:
		return true
	}
	return false
}

// KeyUse says what a published key is for.
type KeyUse string

// Key uses: envelopes are signed with an Ed25519 key and encrypted to an
// X25519 key (internal/keys gives their text forms).
const (
	UseSigning    KeyUse = "signing"
	UseEncryption KeyUse = "encryption"
)

// Key is a public key of an authority's node, in internal/keys text form
// ("ed25519:..." or "x25519:..."). Keys are dated so that a rotated key
// still verifies what was signed while it was valid.
type Key struct {
	Use        KeyUse    `json:"use"`
	Public     string    `json:"public"`
	ID         string    `json:"id,omitempty"` // keys.ID(Public); filled in by Finalize
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
	Revoked    time.Time `json:"revoked,omitzero"` // zero if not revoked
}

// ValidAt reports whether the key may be used at the instant at.
func (k Key) ValidAt(at time.Time) bool {
	if !k.Revoked.IsZero() && !at.Before(k.Revoked) {
		return false
	}
	if !k.ValidFrom.IsZero() && at.Before(k.ValidFrom) {
		return false
	}
	if !k.ValidUntil.IsZero() && !at.Before(k.ValidUntil) {
		return false
	}
	return true
}

// PersonRole is a person's place in the escalation chain.
type PersonRole string

// Escalation chain: an unacknowledged request goes to the primary, then the
// backup, then the supervisor.
const (
	Primary    PersonRole = "primary"
	Backup     PersonRole = "backup"
	Supervisor PersonRole = "supervisor"
)

// Person is someone on an authority's roster. Shipped data never carries
// real people; fixtures use fictional names at example.org and +00 numbers.
type Person struct {
	Name      string     `json:"name"`
	Role      PersonRole `json:"role"`
	Order     int        `json:"order"` // escalation order, 1 first
	Phone     string     `json:"phone,omitempty"`
	Email     string     `json:"email,omitempty"`
	Languages []string   `json:"languages,omitempty"`
}

// Authority is one designated authority of a party.
type Authority struct {
	ID        string        `json:"id"` // unique in the snapshot, e.g. "IT-247"
	Role      Role          `json:"role"`
	Kind      AuthorityKind `json:"kind,omitempty"`
	Name      string        `json:"name,omitempty"`
	Languages []string      `json:"languages,omitempty"` // BCP 47 tags, e.g. "en", "fr"
	TimeZone  string        `json:"time_zone,omitempty"` // IANA, e.g. "Europe/Rome"
	// DutyHours is "24/7" or weekly windows in the authority's local time,
	// e.g. "Mon-Fri 08:00-18:00; Sat 09:00-13:00" (see ParseDutyHours).
	DutyHours      string   `json:"duty_hours,omitempty"`
	Phone          string   `json:"phone,omitempty"`
	Email          string   `json:"email,omitempty"`
	Endpoint       string   `json:"endpoint,omitempty"` // the node's inbox URL
	TLSFingerprint string   `json:"tls_fingerprint,omitempty"`
	Keys           []Key    `json:"keys,omitempty"`
	People         []Person `json:"people,omitempty"`
	// ContactKnown is false when the designation is known but not its
	// contact details (the starter snapshot: we do not invent them).
	ContactKnown bool   `json:"contact_known"`
	Since        Date   `json:"since,omitzero"` // date of the designation or of this entry
	AsOf         Date   `json:"as_of,omitzero"` // when the source last confirmed this entry
	Source       string `json:"source,omitempty"`
	Note         string `json:"note,omitempty"`
}

// OnDuty reports whether the authority is on duty at the instant at, and
// the local time there. It fails when the time zone or duty hours are not
// known or malformed; the caller shows that rather than guessing.
func (a Authority) OnDuty(at time.Time) (onDuty bool, local time.Time, err error) {
	if a.TimeZone == "" {
		return false, at, apperr.Errorf(apperr.ENotFound, "authority %s: time zone not known; the secretariat must add it to the directory", a.ID)
	}
	loc, err := loadZone(a.TimeZone)
	if err != nil {
		return false, at, apperr.Errorf(apperr.EInvalid, "authority %s: time_zone %q is not an IANA zone name (e.g. Europe/Rome)", a.ID, a.TimeZone)
	}
	local = at.In(loc)
	if strings.TrimSpace(a.DutyHours) == "" {
		return false, local, apperr.Errorf(apperr.ENotFound, "authority %s: duty hours not known; the secretariat must add them to the directory", a.ID)
	}
	sch, err := ParseDutyHours(a.DutyHours)
	if err != nil {
		return false, local, fmt.Errorf("authority %s: %w", a.ID, err)
	}
	return sch.Covers(local), local, nil
}

// KeyFor returns the authority's key for use that is valid at the instant
// at. During a rotation two keys overlap; the newest (latest ValidFrom) is
// the one to use, the older one only still verifies.
func (a Authority) KeyFor(use KeyUse, at time.Time) (Key, bool) {
	var (
		best  Key
		found bool
	)
	for _, k := range a.Keys {
		if k.Use == use && k.ValidAt(at) && (!found || k.ValidFrom.After(best.ValidFrom)) {
			best, found = k, true
		}
	}
	return best, found
}

// Escalation returns the roster in escalation order (primary, backup,
// supervisor; by Order within each).
func (a Authority) Escalation() []Person {
	rank := map[PersonRole]int{Primary: 0, Backup: 1, Supervisor: 2}
	out := slices.Clone(a.People)
	slices.SortStableFunc(out, func(x, y Person) int {
		if rank[x.Role] != rank[y.Role] {
			return rank[x.Role] - rank[y.Role]
		}
		return x.Order - y.Order
	})
	return out
}

// Answer is a legal-profile answer: yes, no or not known, and whether it
// rests on law or on practice.
type Answer struct {
	Value string `json:"value"`           // "yes", "no" or "" (not known)
	Basis string `json:"basis,omitempty"` // "law" or "practice"
	Note  string `json:"note,omitempty"`
}

// Retention is a typical provider retention period for one kind of data.
type Retention struct {
	Data   string `json:"data"`   // "subscriber", "traffic" or "content"
	Period string `json:"period"` // as stated, e.g. "IP logs 90 days"
	Note   string `json:"note,omitempty"`
}

// LegalProfile holds the answers a party gives to the network's own
// questionnaire (SPEC section 4). Every field may be unknown.
type LegalProfile struct {
	PreserveOnForeignRequest Answer      `json:"preserve_on_foreign_request,omitzero"`
	ObtainAndShare           Answer      `json:"obtain_and_share,omitzero"`
	IntelligenceOrEvidence   string      `json:"intelligence_or_evidence,omitempty"`
	MinimumFactsForCase      string      `json:"minimum_facts_for_case,omitempty"`
	ForeignHackingIsCrime    Answer      `json:"foreign_hacking_is_crime,omitzero"`
	Retention                []Retention `json:"retention,omitempty"`
	TimeToPreserve           string      `json:"time_to_preserve,omitempty"`
	TimeToDisclose           string      `json:"time_to_disclose,omitempty"`
	TimeWithDomesticOffence  string      `json:"time_with_domestic_offence,omitempty"`
	TimeWithoutDomestic      string      `json:"time_without_domestic_offence,omitempty"`
	AsOf                     Date        `json:"as_of,omitzero"`
	Source                   string      `json:"source,omitempty"`
}

// IsZero reports whether nothing is known of the profile.
func (l LegalProfile) IsZero() bool {
	return l.PreserveOnForeignRequest == (Answer{}) && l.ObtainAndShare == (Answer{}) &&
		l.IntelligenceOrEvidence == "" && l.MinimumFactsForCase == "" &&
		l.ForeignHackingIsCrime == (Answer{}) && len(l.Retention) == 0 &&
		l.TimeToPreserve == "" && l.TimeToDisclose == "" &&
		l.TimeWithDomesticOffence == "" && l.TimeWithoutDomestic == "" &&
		l.AsOf.IsZero() && l.Source == ""
}

// Party is a state (ISO 3166-1 alpha-2 code) or an organisation.
type Party struct {
	Code      string           `json:"code"`
	Name      string           `json:"name"`
	Budapest  InstrumentStatus `json:"budapest"`
	Protocol2 InstrumentStatus `json:"protocol2"`
	UN2024    InstrumentStatus `json:"un2024"`
	EU        EUStatus         `json:"eu"`
	// G7Network is membership of the G7 24/7 network; nil means not known.
	G7Network    *bool         `json:"g7_network,omitempty"`
	Reservations []Reservation `json:"reservations,omitempty"`
	Authorities  []Authority   `json:"authorities,omitempty"`
	Legal        LegalProfile  `json:"legal_profile,omitzero"`
	// Confidence is how sure the source is of this entry, as the source
	// says it (e.g. "confirmed", "party status unconfirmed").
	Confidence string `json:"confidence"`
	// Sources are the source tags of the entry (see the snapshot's Source
	// and internal/directory/data/SOURCES-parties.md).
	Sources []string `json:"sources,omitempty"`
	Since   Date     `json:"since,omitzero"` // date of this entry
	Note    string   `json:"note,omitempty"`
}

// Status returns the party's standing under an instrument. For EU it
// derives a status from membership and Regulation 2023/1543.
func (p Party) Status(in Instrument) InstrumentStatus {
	switch in {
	case Budapest:
		return p.Budapest
	case Protocol2:
		return p.Protocol2
	case UN2024:
		return p.UN2024
	case EU:
		if p.EU.BoundBy20231543 {
			// A regulation binds from its date of application, the same
			// for every member state bound by it (Art. 34(2)).
			return InstrumentStatus{Status: StatusParty, InForce: EUApplication, Note: p.EU.Note}
		}
		return InstrumentStatus{Status: StatusNone, Note: p.EU.Note}
	}
	return InstrumentStatus{Status: StatusNone}
}

// InForce reports whether the instrument binds the party at the instant at.
// A party listed as a party whose date is not known counts as bound (see
// InstrumentStatus.InForceUndated); an instrument not yet in force binds
// nobody.
func (p Party) InForce(in Instrument, at time.Time) bool { return p.Status(in).BoundAt(at) }

// Has reports whether the party made a reservation or declaration of kind k.
func (p Party) Has(k ReservationKind) bool {
	return slices.ContainsFunc(p.Reservations, func(r Reservation) bool { return r.Kind == k })
}

// Authority returns the party's first authority with the given role.
func (p Party) Authority(r Role) (*Authority, bool) {
	for i := range p.Authorities {
		if p.Authorities[i].Role == r {
			return &p.Authorities[i], true
		}
	}
	return nil, false
}

// SourceNote says how current one part of the source data is.
type SourceNote struct {
	Field string `json:"field"` // e.g. "budapest", "protocol2", "un2024"
	AsOf  string `json:"as_of"` // as stated by the source, e.g. "late 2024"
	Note  string `json:"note,omitempty"`
}

// Snapshot is one published version of the directory.
type Snapshot struct {
	Format      string           `json:"format"`
	Serial      uint64           `json:"serial"`
	IssuedAt    time.Time        `json:"issued_at,omitzero"`
	ValidUntil  time.Time        `json:"valid_until,omitzero"`
	AsOf        Date             `json:"as_of,omitzero"` // the data is believed current on this date
	Source      string           `json:"source"`
	SourceNotes []SourceNote     `json:"source_notes,omitempty"`
	Instruments []InstrumentInfo `json:"instruments"`
	Parties     []Party          `json:"parties"`
	// Treaties are bilateral mutual legal assistance treaties the
	// secretariat has entered, so that routing can name them (SPEC
	// section 9: what remains when no multilateral instrument applies).
	Treaties []Treaty `json:"treaties,omitempty"`
}

// Treaty is a bilateral treaty between two parties, as entered by the
// secretariat: which request types it provides for and under which
// articles, and whom requests go to (normally the central authorities).
type Treaty struct {
	ID      string   `json:"id"`      // unique in the snapshot, e.g. "IT-US-MLAT"
	Title   string   `json:"title"`   // as published, e.g. "Treaty on Mutual Assistance in Criminal Matters"
	Parties []string `json:"parties"` // the two ISO 3166-1 alpha-2 codes
	InForce Date     `json:"in_force"`
	// Types are the request types (request.Type values, e.g. "preserve",
	// "mla-followup", "emergency-mla") the treaty provides for.
	Types   []string `json:"types"`
	Article string   `json:"article,omitempty"` // e.g. "Arts. 1, 18"
	Channel string   `json:"channel,omitempty"` // e.g. "central authorities (Art. 2)"
	Source  string   `json:"source,omitempty"`
	AsOf    Date     `json:"as_of,omitzero"`
}

// Between reports whether the treaty binds parties a and b to each other
// at the instant at.
func (t Treaty) Between(a, b string, at time.Time) bool {
	return len(t.Parties) == 2 && !t.InForce.IsZero() && !at.Before(t.InForce.Time()) &&
		((t.Parties[0] == a && t.Parties[1] == b) || (t.Parties[0] == b && t.Parties[1] == a))
}

// Party returns the party with the given code (case-insensitive).
func (s *Snapshot) Party(code string) (*Party, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	for i := range s.Parties {
		if s.Parties[i].Code == code {
			return &s.Parties[i], true
		}
	}
	return nil, false
}

// Instrument returns what the snapshot says of an instrument itself.
func (s *Snapshot) Instrument(in Instrument) (InstrumentInfo, bool) {
	for _, i := range s.Instruments {
		if i.ID == in {
			return i, true
		}
	}
	return InstrumentInfo{}, false
}

// PointOfContact returns the Art. 35 24/7 point of contact of a party.
func (s *Snapshot) PointOfContact(code string) (*Authority, error) {
	p, ok := s.Party(code)
	if !ok {
		return nil, apperr.Errorf(apperr.ENotFound, "party %q is not in directory snapshot %d", code, s.Serial)
	}
	a, ok := p.Authority(RolePointOfContact)
	if !ok {
		return nil, apperr.Errorf(apperr.ENotFound, "party %s (%s) has no 24/7 point of contact in directory snapshot %d", p.Code, p.Name, s.Serial)
	}
	return a, nil
}

// AuthorityByID finds an authority anywhere in the snapshot.
func (s *Snapshot) AuthorityByID(id string) (*Party, *Authority, bool) {
	for i := range s.Parties {
		for j := range s.Parties[i].Authorities {
			if s.Parties[i].Authorities[j].ID == id {
				return &s.Parties[i], &s.Parties[i].Authorities[j], true
			}
		}
	}
	return nil, nil, false
}

// List returns the parties bound by instrument in at the instant at, or all
// parties when in is "".
func (s *Snapshot) List(in Instrument, at time.Time) []Party {
	var out []Party
	for _, p := range s.Parties {
		if in == "" || p.InForce(in, at) {
			out = append(out, p)
		}
	}
	return out
}
