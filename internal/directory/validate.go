package directory

import (
	"fmt"
	"net/mail"
	"net/url"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/keys"
)

// Complete fills in what follows from the data (entry into force computed
// from deposit dates, key IDs), then checks the snapshot with Validate.
// Given in-force dates are kept; a deposit without one gets the date the
// instrument's rule gives, or stays unknown when the rule cannot be applied.
func (s *Snapshot) Complete() error {
	defer func() {
		for i := range s.Instruments {
			s.describeInstrument(&s.Instruments[i])
		}
	}()
	for i := range s.Parties {
		p := &s.Parties[i]
		for _, in := range []Instrument{Budapest, Protocol2, UN2024} {
			st := p.statusRef(in)
			if st.Status == StatusParty && st.InForce.IsZero() && !st.Deposited.IsZero() {
				if info, ok := s.Instrument(in); ok {
					if d, ok := EntryIntoForce(info, st.Deposited); ok {
						st.InForce = d
					}
				}
			}
		}
		for j := range p.Authorities {
			for k := range p.Authorities[j].Keys {
				key := &p.Authorities[j].Keys[k]
				if key.ID == "" && key.Public != "" {
					key.ID = keys.ID(key.Public)
				}
			}
		}
	}
	return s.Validate()
}

func (p *Party) statusRef(in Instrument) *InstrumentStatus {
	switch in {
	case Budapest:
		return &p.Budapest
	case Protocol2:
		return &p.Protocol2
	case UN2024:
		return &p.UN2024
	}
	return nil
}

// Validate checks every rule a node relies on. The error names the entry
// and field (e.g. "parties[IT].authorities[IT-247].time_zone"), the rule
// and the fix.
func (s *Snapshot) Validate() error {
	if s.Format != FormatVersion {
		return apperr.Errorf(apperr.EInvalid, "format %q is not %q; this art35 reads only that format (upgrade art35 or re-export the snapshot)", s.Format, FormatVersion)
	}
	if !s.IssuedAt.IsZero() && !s.ValidUntil.IsZero() && !s.ValidUntil.After(s.IssuedAt) {
		return apperr.Errorf(apperr.EInvalid, "valid_until %s is not after issued_at %s; give the snapshot a validity period", s.ValidUntil.Format(time.RFC3339), s.IssuedAt.Format(time.RFC3339))
	}
	seenInst := map[Instrument]bool{}
	for _, in := range s.Instruments {
		switch in.ID {
		case Budapest, Protocol2, UN2024, EU:
		default:
			return apperr.Errorf(apperr.EInvalid, "instruments: %q is not a known instrument; use budapest, protocol2, un2024 or eu", in.ID)
		}
		if seenInst[in.ID] {
			return apperr.Errorf(apperr.EInvalid, "instruments: %s listed twice; keep one entry", in.ID)
		}
		seenInst[in.ID] = true
	}
	codes := map[string]bool{}
	for _, p := range s.Parties {
		codes[p.Code] = false
	}
	treaties := map[string]bool{}
	for i, t := range s.Treaties {
		where := fmt.Sprintf("treaties[%d]", i)
		if t.ID == "" || treaties[t.ID] {
			return apperr.Errorf(apperr.EInvalid, "%s.id: %q is empty or used twice; give each treaty a unique id, e.g. IT-US-MLAT", where, t.ID)
		}
		treaties[t.ID] = true
		if len(t.Parties) != 2 || t.Parties[0] == t.Parties[1] {
			return apperr.Errorf(apperr.EInvalid, "%s.parties: %v; a bilateral treaty names two different parties", where, t.Parties)
		}
		for _, c := range t.Parties {
			if _, ok := codes[c]; !ok {
				return apperr.Errorf(apperr.EInvalid, "%s.parties: %q is not a party of the snapshot; add the party first", where, c)
			}
		}
		if t.InForce.IsZero() {
			return apperr.Errorf(apperr.EInvalid, "%s.in_force: empty; give the date the treaty entered into force (routing relies on it)", where)
		}
		if len(t.Types) == 0 || t.Title == "" {
			return apperr.Errorf(apperr.EInvalid, "%s: title and types are required; list the request types it provides for, e.g. [\"preserve\", \"mla-followup\"]", where)
		}
	}
	codes = map[string]bool{}
	ids := map[string]string{}
	for _, p := range s.Parties {
		where := fmt.Sprintf("parties[%s]", p.Code)
		if _, ok := ISOName(p.Code); !ok {
			return apperr.Errorf(apperr.EInvalid, "%s.code: %q is not an assigned ISO 3166-1 alpha-2 code (upper case, e.g. IT)", where, p.Code)
		}
		if codes[p.Code] {
			return apperr.Errorf(apperr.EInvalid, "%s: the party appears twice; keep one entry per party", where)
		}
		codes[p.Code] = true
		if p.Name == "" {
			return apperr.Errorf(apperr.EInvalid, "%s.name: empty; give the party's name", where)
		}
		if p.Confidence == "" {
			return apperr.Errorf(apperr.EInvalid, "%s.confidence: empty; say how sure the entry is (e.g. confirmed)", where)
		}
		for _, in := range []Instrument{Budapest, Protocol2, UN2024} {
			if err := validateStatus(where+"."+string(in), p.Status(in)); err != nil {
				return err
			}
		}
		if p.EU.BoundBy20231543 && !p.EU.Member {
			return apperr.Errorf(apperr.EInvalid, "%s.eu: bound by Regulation 2023/1543 but not an EU member; only member states are bound", where)
		}
		for i, r := range p.Reservations {
			if !r.Kind.Valid() {
				return apperr.Errorf(apperr.EInvalid, "%s.reservations[%d].kind: %q is not known; use %s, %s, %s or %s", where, i, r.Kind, DualCriminality, NoEmergencySubscriberOnly, NotificationRequired, CentralAuthorityOnly)
			}
		}
		for _, a := range p.Authorities {
			if prev, dup := ids[a.ID]; dup {
				return apperr.Errorf(apperr.EInvalid, "%s.authorities[%s]: id also used in parties[%s]; authority ids must be unique", where, a.ID, prev)
			}
			ids[a.ID] = p.Code
			if err := validateAuthority(where, a); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateStatus(where string, st InstrumentStatus) error {
	if !st.Status.Valid() {
		return apperr.Errorf(apperr.EInvalid, "%s.status: %q is not a status; use unknown, none, invited, signatory or party", where, st.Status)
	}
	if !st.Deposited.IsZero() && st.Status != StatusParty {
		return apperr.Errorf(apperr.EInvalid, "%s: status %q with a deposit date; a state that deposited is a party", where, st.Status)
	}
	if !st.Signed.IsZero() && !st.Deposited.IsZero() && st.Deposited.Before(st.Signed) {
		return apperr.Errorf(apperr.EInvalid, "%s.deposited: %s is before signed %s; check both dates", where, st.Deposited, st.Signed)
	}
	if !st.InForce.IsZero() && !st.Deposited.IsZero() && st.InForce.Before(st.Deposited) {
		return apperr.Errorf(apperr.EInvalid, "%s.in_force: %s is before deposited %s; check both dates", where, st.InForce, st.Deposited)
	}
	switch st.DepositKind {
	case "", Ratification, Accession:
	default:
		return apperr.Errorf(apperr.EInvalid, "%s.deposit_kind: %q; use ratification or accession", where, st.DepositKind)
	}
	return nil
}

func validateAuthority(party string, a Authority) error {
	where := fmt.Sprintf("%s.authorities[%s]", party, a.ID)
	if a.ID == "" {
		return apperr.Errorf(apperr.EInvalid, "%s.authorities: an authority has no id; give each a unique id such as %s-247", party, party)
	}
	if !a.Role.Valid() {
		return apperr.Errorf(apperr.EInvalid, "%s.role: %q is not a role; use one of %v", where, a.Role, Roles)
	}
	if !a.Kind.Valid() {
		return apperr.Errorf(apperr.EInvalid, "%s.kind: %q; use police, prosecution, ministry, court or other", where, a.Kind)
	}
	if a.TimeZone != "" {
		if _, err := loadZone(a.TimeZone); err != nil {
			return apperr.Errorf(apperr.EInvalid, "%s.time_zone: %q is not an IANA zone name; write e.g. Europe/Rome", where, a.TimeZone)
		}
	}
	if a.DutyHours != "" {
		if _, err := ParseDutyHours(a.DutyHours); err != nil {
			return fmt.Errorf("%s.duty_hours: %w", where, err)
		}
	}
	if a.Email != "" {
		if _, err := mail.ParseAddress(a.Email); err != nil {
			return apperr.Errorf(apperr.EInvalid, "%s.email: %q is not an e-mail address", where, a.Email)
		}
	}
	if a.Endpoint != "" {
		u, err := url.Parse(a.Endpoint)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return apperr.Errorf(apperr.EInvalid, "%s.endpoint: %q is not an http(s) URL with a host; write e.g. https://node.example.org/inbox", where, a.Endpoint)
		}
	}
	for i, k := range a.Keys {
		kw := fmt.Sprintf("%s.keys[%d]", where, i)
		var err error
		switch k.Use {
		case UseSigning:
			_, err = keys.ParseSigningPublic(k.Public)
		case UseEncryption:
			_, err = keys.ParseEncryptionPublic(k.Public)
		default:
			return apperr.Errorf(apperr.EInvalid, "%s.use: %q; use signing or encryption", kw, k.Use)
		}
		if err != nil {
			return fmt.Errorf("%s.public: %w", kw, err)
		}
		if k.ID != "" && k.ID != keys.ID(k.Public) {
			return apperr.Errorf(apperr.EInvalid, "%s.id: %q does not match the key (want %s); drop the id and it is computed", kw, k.ID, keys.ID(k.Public))
		}
		if !k.ValidFrom.IsZero() && !k.ValidUntil.IsZero() && !k.ValidUntil.After(k.ValidFrom) {
			return apperr.Errorf(apperr.EInvalid, "%s.valid_until: not after valid_from; give the key a validity period", kw)
		}
	}
	for i, pe := range a.People {
		pw := fmt.Sprintf("%s.people[%d]", where, i)
		switch pe.Role {
		case Primary, Backup, Supervisor:
		default:
			return apperr.Errorf(apperr.EInvalid, "%s.role: %q; use primary, backup or supervisor", pw, pe.Role)
		}
		if pe.Name == "" {
			return apperr.Errorf(apperr.EInvalid, "%s.name: empty; name the person on the roster", pw)
		}
		if pe.Email != "" {
			if _, err := mail.ParseAddress(pe.Email); err != nil {
				return apperr.Errorf(apperr.EInvalid, "%s.email: %q is not an e-mail address", pw, pe.Email)
			}
		}
	}
	return nil
}
