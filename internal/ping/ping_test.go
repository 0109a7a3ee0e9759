package ping_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/clock"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
)

const (
	id32 = "0123456789abcdef0123456789abcdef"
	code = "ABCD2345"
)

func TestParseBody(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want "" means valid
	}{
		{"challenge", `{"type":"challenge","id":"` + id32 + `","campaign":"20261125-030000-abcdef","code":"` + code + `","sent_at":"2026-11-25T03:00:00Z","deadline":"2026-11-25T03:30:00Z"}`, ""},
		{"answer", `{"type":"answer","id":"` + id32 + `","code":"` + code + `","answered_by":"Paola Esempio","answered_at":"2026-11-25T03:05:00Z"}`, ""},
		{"unknown type", `{"type":"pong","id":"` + id32 + `","code":"` + code + `"}`, "ping body type"},
		{"short id", `{"type":"answer","id":"abc","code":"` + code + `","answered_by":"X","answered_at":"2026-11-25T03:05:00Z"}`, "ping body id"},
		{"upper-case id", `{"type":"answer","id":"` + strings.ToUpper(id32) + `","code":"` + code + `","answered_by":"X","answered_at":"2026-11-25T03:05:00Z"}`, "ping body id"},
		{"code with O", `{"type":"answer","id":"` + id32 + `","code":"ABCDOOOO","answered_by":"X","answered_at":"2026-11-25T03:05:00Z"}`, "ping body code"},
		{"bad campaign", `{"type":"challenge","id":"` + id32 + `","campaign":"A B","code":"` + code + `","sent_at":"2026-11-25T03:00:00Z","deadline":"2026-11-25T03:30:00Z"}`, "ping body campaign"},
		{"challenge without deadline", `{"type":"challenge","id":"` + id32 + `","code":"` + code + `","sent_at":"2026-11-25T03:00:00Z"}`, "sent_at/deadline"},
		{"deadline before sent", `{"type":"challenge","id":"` + id32 + `","code":"` + code + `","sent_at":"2026-11-25T03:00:00Z","deadline":"2026-11-25T02:00:00Z"}`, "ping body deadline"},
		{"challenge with an answer", `{"type":"challenge","id":"` + id32 + `","code":"` + code + `","sent_at":"2026-11-25T03:00:00Z","deadline":"2026-11-25T03:30:00Z","answered_by":"X"}`, "no answer fields"},
		{"answer without name", `{"type":"answer","id":"` + id32 + `","code":"` + code + `","answered_at":"2026-11-25T03:05:00Z"}`, "answered_by"},
		{"answer name with control", `{"type":"answer","id":"` + id32 + `","code":"` + code + `","answered_by":"A\u0007B","answered_at":"2026-11-25T03:05:00Z"}`, "answered_by"},
		{"answer without time", `{"type":"answer","id":"` + id32 + `","code":"` + code + `","answered_by":"X"}`, "answered_at"},
		{"unknown field", `{"type":"answer","id":"` + id32 + `","code":"` + code + `","answered_by":"X","answered_at":"2026-11-25T03:05:00Z","extra":1}`, "ping body: not a JSON object"},
		{"trailing data", `{"type":"answer","id":"` + id32 + `","code":"` + code + `","answered_by":"X","answered_at":"2026-11-25T03:05:00Z"} {}`, "data after"},
		{"not JSON", `ping`, "ping body: not a JSON object"},
		{"too large", `{"type":"` + strings.Repeat("a", ping.MaxBody) + `"}`, "at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ping.ParseBody([]byte(tc.in))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid body refused: %v", err)
				}
				out, err := b.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				if again, err := ping.ParseBody(out); err != nil || again != b {
					t.Errorf("round trip: %+v, %v; want %+v", again, err, b)
				}
				return
			}
			if !apperr.Is(err, apperr.EInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want EInvalid containing %q", err, tc.want)
			}
		})
	}
}

// FuzzParseBody: a body from a peer never panics, and whatever is
// accepted is valid and survives a round trip.
func FuzzParseBody(f *testing.F) {
	f.Add([]byte(`{"type":"challenge","id":"` + id32 + `","code":"` + code + `","sent_at":"2026-11-25T03:00:00Z","deadline":"2026-11-25T03:30:00Z"}`))
	f.Add([]byte(`{"type":"answer","id":"` + id32 + `","code":"` + code + `","answered_by":"Paola","answered_at":"2026-11-25T03:05:00Z"}`))
	f.Add([]byte(`{"type":"answer"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ping.ParseBody(data)
		if err != nil {
			if !apperr.Is(err, apperr.EInvalid) {
				t.Fatalf("error without EInvalid code: %v", err)
			}
			return
		}
		if err := b.Validate(); err != nil {
			t.Fatalf("accepted an invalid body: %v", err)
		}
		out, err := b.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ping.ParseBody(out); err != nil {
			t.Fatalf("re-encoded body refused: %v", err)
		}
	})
}

func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		p    float64
		want float64
	}{
		{nil, 0.5, -1},
		{[]float64{7}, 0.5, 7},
		{[]float64{7}, 0.9, 7},
		{[]float64{3, 1, 2}, 0.5, 2},
		{[]float64{4, 3, 2, 1}, 0.5, 2},
		{[]float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 0.9, 90},
		{[]float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110}, 0.9, 100},
	} {
		if got := ping.Percentile(tc.xs, tc.p); got != tc.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tc.xs, tc.p, got, tc.want)
		}
	}
}

func TestSummarizeAndCSV(t *testing.T) {
	rs := []ping.Result{
		{Party: "IT", State: ping.StatePassed, Reachable: true, AnswerSeconds: 60, OfficeHours: ping.OfficeOutside},
		{Party: "IT", State: ping.StatePassed, Reachable: true, AnswerSeconds: 120, OfficeHours: ping.OfficeInside},
		{Party: "IT", State: ping.StateFailed, Reachable: false, AnswerSeconds: -1, OfficeHours: ping.OfficeOutside},
		{Party: "IT", State: ping.StateWaiting, Reachable: true, AnswerSeconds: -1},
		{Party: "AT", State: ping.StateLate, Reachable: true, AnswerSeconds: 3000, AnsweredBy: "=cmd|' /C calc'!A0"},
	}
	rows := ping.Summarize(rs)
	want := []ping.CountryRow{
		{Party: "AT", Pings: 1, Reachable: 1, Late: 1, PassRate: 0, MedianSeconds: 3000, P90Seconds: 3000},
		{Party: "IT", Pings: 4, Reachable: 3, Passed: 2, Failed: 1, Waiting: 1, PassRate: 2.0 / 3, MedianSeconds: 60, P90Seconds: 120, OutsideHours: 2, OutsideHoursPassed: 1},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows = %+v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
	var buf bytes.Buffer
	if err := ping.WriteTableCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 3 || recs[2][7] != "0.667" || recs[1][8] != "3000.000" {
		t.Errorf("table CSV = %v, %v", recs, err)
	}
	buf.Reset()
	if err := ping.WriteResultsCSV(&buf, rs); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 6 {
		t.Fatalf("results CSV = %v, %v", recs, err)
	}
	if got := recs[5][10]; !strings.HasPrefix(got, "'=") {
		t.Errorf("a peer-chosen name starting with = is written %q: a spreadsheet would run it", got)
	}
	if recs[3][12] != "" {
		t.Errorf("unanswered ping's answer_seconds = %q, want empty", recs[3][12])
	}
}

// TestAnswerChecks: an answer is recorded only from the authority that was
// pinged, in reply to the challenge's message, with the challenge's code.
func TestAnswerChecks(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC))
		s := &ping.Service{DB: db, Clock: clk, Party: "US", Authority: "US-247",
			Directory: func(context.Context) (*directory.Snapshot, error) { return &directory.Snapshot{}, nil }}
		sent := clk.Now()
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ping_campaigns (id, started_at, started_by, window_seconds) VALUES ('c1', $1, 'Sam', 1800)`, store.FormatTime(sent)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO pings_out (id, campaign_id, party, authority, message_id, code, sent_at, deadline, office_hours, state)
				VALUES ($1, 'c1', 'IT', 'IT-247', 'm1', $2, $3, $4, 'unknown', 'waiting')`,
				id32, code, store.FormatTime(sent), store.FormatTime(sent.Add(30*time.Minute)))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		answer := func(sender, inReplyTo, code string, at time.Time) error {
			b, _ := ping.Body{Type: ping.TypeAnswer, ID: id32, Code: code, AnsweredBy: "Paola", AnsweredAt: at}.Marshal()
			in := &federation.Inbound{Envelope: &envelope.Envelope{Header: envelope.Header{ID: "a1", Kind: envelope.KindPing,
				Subkind: ping.TypeAnswer, Sender: sender, InReplyTo: inReplyTo}}, Body: b}
			return db.Tx(ctx, func(tx *sql.Tx) error { return s.Arrived(ctx, tx, in) })
		}
		for _, tc := range []struct {
			name, sender, reply, code string
			want                      string
		}{
			{"other authority", "FR-247", "m1", code, apperr.EUnauthorized},
			{"not in reply", "IT-247", "m2", code, apperr.EInvalid},
			{"wrong code", "IT-247", "m1", "ZZZZ2222", apperr.EInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := answer(tc.sender, tc.reply, tc.code, sent.Add(time.Minute)); apperr.Code(err) != tc.want {
					t.Errorf("err = %v, want code %s", err, tc.want)
				}
			})
		}
		// A claimed answer time in the future counts as the arrival time.
		clk.Advance(10 * time.Minute)
		if err := answer("IT-247", "m1", code, sent.Add(20*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		rs, err := s.Results(ctx, ping.Filter{Campaign: "c1"})
		if err != nil || len(rs) != 1 {
			t.Fatalf("results = %+v, %v", rs, err)
		}
		if rs[0].State != ping.StatePassed || rs[0].AnswerSeconds != 600 || rs[0].Reachable {
			t.Errorf("result = %+v, want passed after 600s (arrival time), not reachable (no receipt stored)", rs[0])
		}
	})
}
