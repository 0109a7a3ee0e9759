package exercise

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/ping"
)

// PlayOptions choose how a script's minutes pass.
type PlayOptions struct {
	// By names the person playing the script (the secretariat's
	// exercise controller); it signs the injected requests as sender.
	By string
	// Speed accelerates the real clock: 60 plays a minute of the script
	// in a second. 0 means 1 (real time).
	Speed float64
	// Wait, when set, is called instead of sleeping until each inject's
	// time (start + its minute): tests pass one that sets a manual clock,
	// and "play --no-wait" one that returns at once.
	Wait func(ctx context.Context, until time.Time) error
	// Played, when set, is told of each inject as soon as it is sent.
	Played func(Played)
}

// Played is one inject as sent.
type Played struct {
	Minute    int       `json:"minute"`
	Kind      string    `json:"kind"`
	Target    string    `json:"target"`
	SentAt    time.Time `json:"sent_at"`
	CaseID    string    `json:"case_id,omitempty"` // preserve, emergency
	PingID    string    `json:"ping_id,omitempty"` // ping
	MessageID string    `json:"message_id"`
}

// Play sends the script's injects to the participants at their minutes
// after the start, from the secretariat's node, as exercise envelopes.
// The exercise must be open on this node and controlled by it, and every
// target must be a participant; all is checked before the first inject.
func (s *Service) Play(ctx context.Context, sc *Script, opt PlayOptions) ([]Played, error) {
	if opt.By == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "exercise play: by: name the person playing the script")
	}
	ex, err := s.Get(ctx, sc.Exercise)
	if err != nil {
		return nil, err
	}
	if ex.Role != RoleControl {
		return nil, apperr.Errorf(apperr.EUnauthorized, "exercise play: exercise %s was opened by another node; the secretariat's node that opened it plays its script", ex.ID)
	}
	if ex.State != StateOpen {
		return nil, apperr.Errorf(apperr.EInvalid, "exercise play: exercise %s is closed (fix: open a new exercise)", ex.ID)
	}
	d, err := s.Directory(ctx)
	if err != nil {
		return nil, err
	}
	parties := map[string]string{}
	for _, in := range sc.Injects {
		if !(&Announcement{Participants: ex.Participants}).Includes(in.Target) {
			return nil, apperr.Errorf(apperr.EInvalid, "exercise script line %d: target: %s does not take part in exercise %s (fix: inject only to its participants)", in.Line, in.Target, ex.ID)
		}
		p, _, ok := d.AuthorityByID(in.Target)
		if !ok {
			return nil, apperr.Errorf(apperr.EInvalid, "exercise script line %d: target: %s is not in the directory (snapshot %d)", in.Line, in.Target, d.Serial)
		}
		if p.Code == s.Party && in.Kind != InjectPing {
			return nil, apperr.Errorf(apperr.EInvalid, "exercise script line %d: target: %s is of this node's own party %s; a request goes to another party (fix: inject to another participant)", in.Line, in.Target, s.Party)
		}
		parties[in.Target] = p.Code
	}
	start := s.Clock.Now()
	wait := opt.Wait
	if wait == nil {
		speed := opt.Speed
		if speed <= 0 {
			speed = 1
		}
		// The script's minute m is played at start + m/speed of real time.
		wait = func(ctx context.Context, until time.Time) error {
			at := start.Add(time.Duration(float64(until.Sub(start)) / speed))
			t := time.NewTimer(at.Sub(s.Clock.Now()))
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	var out []Played
	for i, in := range sc.Injects {
		if err := wait(ctx, start.Add(time.Duration(in.Minute)*time.Minute)); err != nil {
			return out, err
		}
		p, err := s.inject(ctx, ex, in, parties[in.Target], i+1, opt.By)
		if err != nil {
			return out, fmt.Errorf("exercise script line %d (%s to %s at minute %d): %w", in.Line, in.Kind, in.Target, in.Minute, err)
		}
		s.log().Info("exercise inject sent", "exercise", ex.ID, "minute", in.Minute, "kind", in.Kind, "target", in.Target)
		out = append(out, p)
		if opt.Played != nil {
			opt.Played(p)
		}
	}
	return out, nil
}

// inject sends one inject as an exercise envelope.
func (s *Service) inject(ctx context.Context, ex *Exercise, in Inject, party string, n int, by string) (Played, error) {
	now := s.Clock.Now()
	p := Played{Minute: in.Minute, Kind: in.Kind, Target: in.Target, SentAt: now}
	switch in.Kind {
	case InjectPing:
		// The ping service itself, with a sender that flags its envelopes.
		ps := &ping.Service{DB: s.DB, Clock: s.Clock, Directory: s.Directory, Party: s.Party, Authority: s.Authority, Log: s.Log,
			Send: func(ctx context.Context, h envelope.Header, body []byte, change func(tx *sql.Tx) error) (*envelope.Envelope, error) {
				h.Exercise = true
				return s.Send(ctx, h, body, change)
			}}
		c, err := ps.StartCampaign(ctx, ping.CampaignOptions{To: []string{party}, Window: in.Window, By: by + " (exercise " + ex.ID + ")"})
		if err != nil {
			return p, err
		}
		if len(c.Pings) == 0 {
			return p, apperr.Errorf(apperr.EInvalid, "the ping to %s was not sent: %v", in.Target, c.Skipped)
		}
		p.PingID, p.MessageID = c.Pings[0].ID, c.Pings[0].MessageID
		return p, nil
	}
	typ := "preserve"
	if in.Kind == InjectEmergency {
		typ = "emergency-disclosure"
	}
	id := fmt.Sprintf("%s-%s-%03d", ex.ID, s.Party, n)
	doc := injectDoc(typ, id, s.Party, party, in.Priority, ex, now)
	c, _, err := s.Cases.SubmitExercise(ctx, doc, by, in.Target)
	if err != nil {
		return p, err
	}
	p.CaseID, p.MessageID = c.Request.ID, c.MessageID
	return p, nil
}

// injectDoc is the request document of an inject: complete enough to pass
// its type's checklist, every name fictional and every fact marked as an
// exercise.
func injectDoc(typ, id, from, to, priority string, ex *Exercise, now time.Time) []byte {
	at := now.UTC().Truncate(time.Second).Format(time.RFC3339)
	tag := "EXERCISE " + ex.ID + " (" + ex.Name + "): "
	doc := map[string]any{
		"id": id, "type": typ, "sender_ref": id, "created_at": at,
		"requesting": map[string]any{"party": from, "name": "Exercise control of " + from + " (fictional)",
			"office_hours": "24/7 duty line", "time_zone": "UTC"},
		"requested": map[string]any{"party": to, "name": "24/7 contact point of " + to},
		"language":  "en",
		"handling":  map[string]any{"code": "H0"},
	}
	switch typ {
	case "preserve":
		doc["priority"] = priority
		doc["legal_basis"] = map[string]any{"instrument": "budapest"}
		doc["preserve"] = map[string]any{
			"status": "new", "offence": "unauthorised access (Art. 2)",
			"facts":    tag + "a company network was entered from abroad (fictional scenario).",
			"data":     []any{map[string]any{"category": "traffic", "description": "connection logs of the account used"}},
			"relation": "the logs show who connected", "custodian": "Example Hosting (fictional)",
			"necessity": "logs are erased after 30 days", "mla_will_follow": true, "reply_channel": "node",
			"confirmation_contact": map[string]any{"name": "Exercise Control (fictional)", "phone": "+00 1 555 0199"},
		}
	default:
		doc["priority"] = "emergency"
		doc["legal_basis"] = map[string]any{"instrument": "protocol2"}
		doc["emergency_disclosure"] = map[string]any{
			"issued_at": at, "protocol_statement": true,
			"provider": map[string]any{"name": "Example Mail (fictional)", "address": "1 Example Street, Example City"},
			"offence":  "kidnapping (exercise scenario)", "legal_provisions": "Criminal Code s. 100 (fictional)", "penalties": "up to 20 years",
			"emergency_facts": tag + "a child is held and a ransom note was sent from this account an hour ago (fictional scenario)",
			"data_relation":   "the login IPs locate the sender",
			"data":            []any{map[string]any{"category": "traffic", "description": "login IP addresses, ports and times"}},
		}
	}
	b, _ := json.Marshal(doc) // maps of strings and bools always marshal
	return b
}
