// Package transborder records trans-border access to stored computer data
// that a party may make without the other party's authorisation (Budapest
// Convention Art. 32): data publicly available, wherever it is located
// (Art. 32(a)), or data obtained with the lawful and voluntary consent of
// the person who has the lawful authority to disclose it (Art. 32(b)).
// Nothing is sent to anyone: the record says what was accessed, on which
// ground, when and by whom, and whether the other party was told; each
// record is written with its audit-log entry in one transaction.
package transborder

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/store"
)

// Ground is the paragraph of Art. 32 the access rests on.
type Ground string

// Grounds.
const (
	PubliclyAvailable Ground = "publicly-available" // Art. 32(a)
	Consent           Ground = "consent"            // Art. 32(b)
)

// Article names the paragraph of a ground.
func (g Ground) Article() string {
	switch g {
	case PubliclyAvailable:
		return "Art. 32(a)"
	case Consent:
		return "Art. 32(b)"
	}
	return ""
}

// Access is one recorded trans-border access.
type Access struct {
	ID     string `json:"id"`
	Ground Ground `json:"ground"`
	// Party is where the data is located (ISO 3166-1 alpha-2), "" when
	// that is not known (Art. 32(a) applies "regardless of where the data
	// is located geographically").
	Party  string `json:"party,omitempty"`
	What   string `json:"what"`   // the data accessed
	Source string `json:"source"` // the system, service or URL
	// ConsentBy and ConsentAuthority: who consented and why that person
	// has the lawful authority to disclose the data (Art. 32(b)).
	ConsentBy        string    `json:"consent_by,omitempty"`
	ConsentAuthority string    `json:"consent_authority,omitempty"`
	AccessedAt       time.Time `json:"accessed_at"`
	RecordedBy       string    `json:"recorded_by"`
	CaseRef          string    `json:"case_ref,omitempty"`
	// Notice is the notice given to the other party, if any (optional:
	// Art. 32 does not require it; T-CY Guidance Note #3 recommends it).
	Notice     string    `json:"notice,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Service records and lists accesses on a node's database.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

var partyRe = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate checks an access before it is recorded; every error names the
// field, the rule and the fix.
func (a Access) Validate(now time.Time) error {
	bad := func(field, msg string) error { return apperr.Errorf(apperr.EInvalid, "%s: %s", field, msg) }
	switch a.Ground {
	case PubliclyAvailable:
		if a.ConsentBy != "" {
			return bad("consent_by", "given with ground publicly-available; use ground consent (Art. 32(b)) or leave it out")
		}
	case Consent:
		if strings.TrimSpace(a.ConsentBy) == "" || strings.TrimSpace(a.ConsentAuthority) == "" {
			return bad("consent_by", "Art. 32(b) needs the person who consented and why they have lawful authority to disclose the data (--consent-by, --lawful-authority)")
		}
	default:
		return bad("ground", fmt.Sprintf("%q is not a ground of Art. 32; use publicly-available (32(a)) or consent (32(b))", a.Ground))
	}
	if a.Party != "" && !partyRe.MatchString(a.Party) {
		return bad("party", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code (e.g. DE), or leave it out when the location is not known", a.Party))
	}
	if strings.TrimSpace(a.What) == "" || strings.TrimSpace(a.Source) == "" {
		return bad("what", "say what was accessed (--what) and where (--source: the service, system or URL)")
	}
	if strings.TrimSpace(a.RecordedBy) == "" {
		return bad("recorded_by", "name the person who accessed the data (--by)")
	}
	if a.AccessedAt.IsZero() || a.AccessedAt.After(now) {
		return bad("accessed_at", "give the time of the access, not in the future, as RFC 3339 with a zone")
	}
	return nil
}

// Record stores an access and its audit-log entry in one transaction.
func (s *Service) Record(ctx context.Context, a Access) (Access, error) {
	now := s.Clock.Now().UTC()
	a.Party = strings.ToUpper(strings.TrimSpace(a.Party))
	if err := a.Validate(now); err != nil {
		return a, err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return a, err
	}
	a.ID, a.RecordedAt, a.AccessedAt = "A32-"+hex.EncodeToString(b[:]), now, a.AccessedAt.UTC()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO transborder_access (id, ground, party, what, source, consent_by, consent_authority, accessed_at, recorded_by, case_ref, notice, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			a.ID, string(a.Ground), a.Party, a.What, a.Source, a.ConsentBy, a.ConsentAuthority, store.FormatTime(a.AccessedAt), a.RecordedBy, a.CaseRef, a.Notice, store.FormatTime(now))
		if err != nil {
			return store.MapError(err)
		}
		_, err = auditlog.Append(ctx, tx, auditlog.Record{Kind: auditlog.AdminChange, Time: now, Actor: a.RecordedBy,
			Details: map[string]string{"change": "trans-border access recorded (Budapest " + a.Ground.Article() + ")", "access": a.ID, "party": a.Party, "case": a.CaseRef}})
		return err
	})
	if err != nil {
		return a, fmt.Errorf("record trans-border access: %w", err)
	}
	return a, nil
}

// List returns the recorded accesses, newest first.
func (s *Service) List(ctx context.Context) ([]Access, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, ground, party, what, source, consent_by, consent_authority, accessed_at, recorded_by, case_ref, notice, recorded_at
		FROM transborder_access ORDER BY accessed_at DESC, id`)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	var out []Access
	for rows.Next() {
		var (
			a      Access
			ground string
			at, rt string
		)
		if err := rows.Scan(&a.ID, &ground, &a.Party, &a.What, &a.Source, &a.ConsentBy, &a.ConsentAuthority, &at, &a.RecordedBy, &a.CaseRef, &a.Notice, &rt); err != nil {
			return nil, err
		}
		a.Ground = Ground(ground)
		if a.AccessedAt, err = store.ParseTime(at); err != nil {
			return nil, err
		}
		if a.RecordedAt, err = store.ParseTime(rt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
