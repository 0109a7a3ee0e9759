package ping

import (
	"context"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/store"
)

// Result is the outcome of one ping this node sent, as the secretariat and
// members see it: was the machine reachable (a signed receipt came back),
// did a person answer, how fast, and was it inside the target's office
// hours.
type Result struct {
	Campaign    string    `json:"campaign"`
	ID          string    `json:"id"`
	Party       string    `json:"party"`
	Authority   string    `json:"authority"`
	SentAt      time.Time `json:"sent_at"`
	Deadline    time.Time `json:"deadline"`
	OfficeHours string    `json:"office_hours"`
	Reachable   bool      `json:"reachable"`
	// ReceiptAt is the receiver's signed receipt time (whole seconds).
	ReceiptAt  time.Time `json:"receipt_at,omitzero"`
	State      string    `json:"state"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	// AnswerSeconds is the time from sending to the person's answer, or
	// -1 when nobody answered.
	AnswerSeconds float64   `json:"answer_seconds"`
	EscalatedTo   string    `json:"escalated_to,omitempty"`
	EscalatedAt   time.Time `json:"escalated_at,omitzero"`

	messageID string // the challenge's envelope (Table leaves out drills by it)
}

// Passed reports whether the ping passed.
func (r Result) Passed() bool { return r.State == StatePassed }

// Filter selects results: one campaign, or every ping sent since a time.
type Filter struct {
	Campaign string
	Since    time.Time
}

// LatestCampaign returns the id of the newest campaign, or "" if none.
func (s *Service) LatestCampaign(ctx context.Context) (string, error) {
	var id string
	err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(MAX(started_at || ' ' || id), '') FROM ping_campaigns`).Scan(&id)
	if err != nil || id == "" {
		return "", err
	}
	return id[len(store.TimeFormat)+1:], nil
}

// Results lists the pings this node sent that match f, by party.
func (s *Service) Results(ctx context.Context, f Filter) ([]Result, error) {
	// Whether a ping reached its peer is the delivery's knowledge (the
	// transport receipt), asked of it rather than read from its tables.
	delivered := map[string]time.Time{}
	if s.Delivered != nil {
		var err error
		if delivered, err = s.Delivered(ctx, envelope.KindPing, f.Since); err != nil {
			return nil, err
		}
	}
	q := `SELECT campaign_id, id, party, authority, message_id, sent_at, deadline, office_hours, state,
		answered_by, answered_at, escalated_to, escalated_at
		FROM pings_out
		WHERE ($1 = '' OR campaign_id = $1) AND sent_at >= $2
		ORDER BY party, sent_at, id`
	rows, err := s.DB.QueryContext(ctx, q, f.Campaign, store.FormatTime(f.Since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		var r Result
		var msgID, sent, dl, ans, esc string
		if err := rows.Scan(&r.Campaign, &r.ID, &r.Party, &r.Authority, &msgID, &sent, &dl, &r.OfficeHours, &r.State,
			&r.AnsweredBy, &ans, &r.EscalatedTo, &esc); err != nil {
			return nil, err
		}
		if err := parseTimes([]string{sent, dl, ans, esc}, &r.SentAt, &r.Deadline, &r.AnsweredAt, &r.EscalatedAt); err != nil {
			return nil, err
		}
		r.ReceiptAt, r.Reachable = delivered[msgID]
		r.messageID = msgID
		r.AnswerSeconds = -1
		if !r.AnsweredAt.IsZero() {
			r.AnswerSeconds = r.AnsweredAt.Sub(r.SentAt).Seconds()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountryRow is one line of the responsiveness table.
type CountryRow struct {
	Party     string `json:"party"`
	Pings     int    `json:"pings"`
	Reachable int    `json:"reachable"`
	Passed    int    `json:"passed"`
	Late      int    `json:"late"`
	Failed    int    `json:"failed"`
	Waiting   int    `json:"waiting"`
	// PassRate is passed / (passed + late + failed); NaN-free: -1 when
	// no ping has been decided yet.
	PassRate float64 `json:"pass_rate"`
	// MedianSeconds and P90Seconds are over the answered pings (in time or
	// late); -1 when none was answered.
	MedianSeconds float64 `json:"median_answer_seconds"`
	P90Seconds    float64 `json:"p90_answer_seconds"`
	// OutsideHoursPassed / OutsideHours: how the 24/7 promise holds at night.
	OutsideHours       int `json:"outside_hours"`
	OutsideHoursPassed int `json:"outside_hours_passed"`
}

// TableDays is the period of the responsiveness table (SPEC 8).
const TableDays = 90

// Table sums up the pings sent in the last days days (ending now) per
// country.
func (s *Service) Table(ctx context.Context, days int) ([]CountryRow, error) {
	if days <= 0 {
		days = TableDays
	}
	rs, err := s.Results(ctx, Filter{Since: s.Clock.Now().Add(-time.Duration(days) * 24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	if s.Drills != nil {
		// The pings of an exercise test a drill, not the network: they are
		// in their campaign's results, never in the responsiveness table.
		drills, err := s.Drills(ctx)
		if err != nil {
			return nil, err
		}
		rs = slices.DeleteFunc(rs, func(r Result) bool { return drills[r.messageID] })
	}
	return Summarize(rs), nil
}

// Summarize builds the responsiveness table from results, one row per
// party in code order.
func Summarize(rs []Result) []CountryRow {
	rows := map[string]*CountryRow{}
	times := map[string][]float64{}
	for _, r := range rs {
		c := rows[r.Party]
		if c == nil {
			c = &CountryRow{Party: r.Party}
			rows[r.Party] = c
		}
		c.Pings++
		if r.Reachable {
			c.Reachable++
		}
		switch r.State {
		case StatePassed:
			c.Passed++
		case StateLate:
			c.Late++
		case StateFailed:
			c.Failed++
		default:
			c.Waiting++
		}
		if r.OfficeHours == OfficeOutside {
			c.OutsideHours++
			if r.Passed() {
				c.OutsideHoursPassed++
			}
		}
		if r.AnswerSeconds >= 0 {
			times[r.Party] = append(times[r.Party], r.AnswerSeconds)
		}
	}
	out := make([]CountryRow, 0, len(rows))
	for _, p := range sortedParties(rows) {
		c := rows[p]
		c.PassRate = -1
		if d := c.Passed + c.Late + c.Failed; d > 0 {
			c.PassRate = float64(c.Passed) / float64(d)
		}
		c.MedianSeconds = Percentile(times[p], 0.5)
		c.P90Seconds = Percentile(times[p], 0.9)
		out = append(out, *c)
	}
	return out
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 1) of xs,
// or -1 for no values. Nearest rank gives a value that was observed, which
// is what a table of human answer times should show.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return -1
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	i = max(0, min(i, len(s)-1))
	return s[i]
}

// WriteResultsCSV writes results as CSV with a header line.
func WriteResultsCSV(w io.Writer, rs []Result) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"campaign", "id", "party", "authority", "sent_at", "deadline", "office_hours", "reachable",
		"receipt_at", "state", "answered_by", "answered_at", "answer_seconds", "escalated_to", "escalated_at"})
	for _, r := range rs {
		_ = cw.Write([]string{r.Campaign, r.ID, r.Party, r.Authority, csvTime(r.SentAt), csvTime(r.Deadline), r.OfficeHours,
			strconv.FormatBool(r.Reachable), csvTime(r.ReceiptAt), r.State, csvSafe(r.AnsweredBy), csvTime(r.AnsweredAt),
			csvNum(r.AnswerSeconds), csvSafe(r.EscalatedTo), csvTime(r.EscalatedAt)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteTableCSV writes the responsiveness table as CSV with a header line.
func WriteTableCSV(w io.Writer, rows []CountryRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"party", "pings", "reachable", "passed", "late", "failed", "waiting", "pass_rate",
		"median_answer_seconds", "p90_answer_seconds", "outside_hours", "outside_hours_passed"})
	for _, c := range rows {
		_ = cw.Write([]string{c.Party, strconv.Itoa(c.Pings), strconv.Itoa(c.Reachable), strconv.Itoa(c.Passed),
			strconv.Itoa(c.Late), strconv.Itoa(c.Failed), strconv.Itoa(c.Waiting), csvNum(c.PassRate),
			csvNum(c.MedianSeconds), csvNum(c.P90Seconds), strconv.Itoa(c.OutsideHours), strconv.Itoa(c.OutsideHoursPassed)})
	}
	cw.Flush()
	return cw.Error()
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func csvNum(f float64) string {
	if f < 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}

// csvSafe keeps a name that a peer chose from being read as a formula by
// a spreadsheet (CSV injection).
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
