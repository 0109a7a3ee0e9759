package stats

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/store"
)

// Offence is a class of offence a case may concern: one list for the
// Budapest Convention (Arts. 2-11) and the UN Convention against
// Cybercrime of 2024 (Arts. 7-17), so that countries under either
// instrument are counted alike.
type Offence struct {
	Class    string `json:"class"`
	Name     string `json:"name"`
	Budapest string `json:"budapest,omitempty"` // article of ETS 185
	UN2024   string `json:"un2024,omitempty"`   // article of the UN Convention
}

// Offences lists the classes, Budapest order first.
var Offences = []Offence{
	{"illegal-access", "illegal access", "Art. 2", "Art. 7"},
	{"illegal-interception", "illegal interception", "Art. 3", "Art. 8"},
	{"data-interference", "data interference", "Art. 4", "Art. 9"},
	{"system-interference", "system interference", "Art. 5", "Art. 10"},
	{"misuse-of-devices", "misuse of devices", "Art. 6", "Art. 11"},
	{"computer-related-forgery", "computer-related forgery", "Art. 7", "Art. 12"},
	{"computer-related-fraud", "computer-related fraud or theft", "Art. 8", "Art. 13"},
	{"child-sexual-abuse-material", "child sexual abuse material", "Art. 9", "Art. 14"},
	{"copyright-infringement", "infringements of copyright and related rights", "Art. 10", ""},
	{"attempt-aiding", "attempt and aiding or abetting", "Art. 11", "Art. 19"},
	{"solicitation-of-children", "solicitation or grooming of a child for sexual offences", "", "Art. 15"},
	{"intimate-images", "non-consensual dissemination of intimate images", "", "Art. 16"},
	{"laundering", "laundering of proceeds of crime", "", "Art. 17"},
}

// Unclassified is the key of cases that carry no offence class.
const Unclassified = "unclassified"

func knownOffence(c string) bool {
	return slices.ContainsFunc(Offences, func(o Offence) bool { return o.Class == c })
}

// Classifier records the offence classes of cases. It is the one writer
// of package stats, and writes only its own table (case_offences).
type Classifier struct {
	DB interface {
		Tx(ctx context.Context, fn func(*sql.Tx) error) error
	}
}

// Classify sets the offence classes of a case held here (replacing those
// it had), naming who did it. Classes are those of Offences.
func (c Classifier) Classify(ctx context.Context, requestID string, classes []string, by string, at time.Time) error {
	if strings.TrimSpace(by) == "" {
		return apperr.Errorf(apperr.EInvalid, "by: name the person who classifies the case")
	}
	seen := map[string]bool{}
	for _, cl := range classes {
		if !knownOffence(cl) {
			names := make([]string, len(Offences))
			for i, o := range Offences {
				names[i] = o.Class
			}
			return apperr.Errorf(apperr.EInvalid, "offence: %q is not a class; use %s", cl, strings.Join(names, ", "))
		}
		seen[cl] = true
	}
	return c.DB.Tx(ctx, func(tx *sql.Tx) error {
		var id string
		ok, err := store.Found(tx.QueryRowContext(ctx, `SELECT id FROM requests WHERE id = $1`, requestID).Scan(&id))
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Errorf(apperr.ENotFound, "no request %s on this node", requestID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_offences WHERE request_id = $1`, requestID); err != nil {
			return err
		}
		for _, cl := range slices.Sorted(func(yield func(string) bool) {
			for k := range seen {
				if !yield(k) {
					return
				}
			}
		}) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_offences (request_id, class, set_at, set_by) VALUES ($1, $2, $3, $4)`,
				requestID, cl, store.FormatTime(at), by); err != nil {
				return err
			}
		}
		return nil
	})
}

// offences reads the classes of every classified case.
func (s *Source) offences(ctx context.Context) (map[string][]string, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT request_id, class FROM case_offences ORDER BY request_id, class`)
	if err != nil {
		return nil, store.MapError(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id, class string
		if err := rows.Scan(&id, &class); err != nil {
			return nil, err
		}
		out[id] = append(out[id], class)
	}
	return out, rows.Err()
}
