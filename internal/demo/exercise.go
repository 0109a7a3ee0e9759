package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/art35/art35/internal/exercise"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/stats"
)

// DemoExercise is the id of the exercise the demo runs; it stays open, so
// every portal page of FR, US and IT shows the EXERCISE banner.
const DemoExercise = "EX-2026-DEMO"

// demoScript is the demo exercise's script (docs/exercises.md), played
// without waiting for its minutes.
const demoScript = exercise.ScriptHeader + `
exercise ` + DemoExercise + `
at 0 preserve IT-247
at 2 emergency US-247
at 4 ping IT-247 window=30m
`

// playExercise is the exercise story: the secretariat's node (FR, which
// holds the secretariat's key in the demo) opens a desktop exercise for
// the United States and Italy and plays its script: a preservation to
// Italy, an emergency to the United States, a ping to Italy. Italy
// acknowledges and answers; the exercise's cases count in its own
// statistics only, never in the real ones.
func playExercise(ctx context.Context, w *World) ([]string, error) {
	fr := w.Services["FR"].Exercise
	fr.Signer = w.Net.SecretariatKey
	now := w.Clock.Now().UTC().Truncate(time.Second)
	ex, err := fr.Open(ctx, exercise.Announcement{ID: DemoExercise, Name: "Demo desktop exercise", Starts: now, Ends: now.Add(8 * time.Hour),
		Participants: []exercise.Participant{
			{Authority: "US-247", Contacts: []exercise.Contact{{Name: "Una Exercise (fictional)", Email: "una.exercise@example.org"}}},
			{Authority: "IT-247", Contacts: []exercise.Contact{{Name: "Ivo Esercizio (fictional)", Email: "ivo.esercizio@example.org"}}},
		}}, officers["FR"])
	if err != nil {
		return nil, fmt.Errorf("FR opens the exercise: %w", err)
	}
	lines := []string{fmt.Sprintf("FR (secretariat) opened exercise %s (%q) for US-247 and IT-247, signed with the secretariat's key", ex.ID, ex.Name)}
	for _, p := range []string{"US", "IT"} {
		if err := waitFor(ctx, p+" to take part in the exercise", 30*time.Second, func() (bool, error) {
			cur, err := w.Services[p].Exercise.Current(ctx)
			return cur != nil && cur.ID == DemoExercise, err
		}); err != nil {
			return lines, err
		}
	}
	sc, err := exercise.ParseScript([]byte(demoScript))
	if err != nil {
		return lines, err
	}
	played, err := fr.Play(ctx, sc, exercise.PlayOptions{By: officers["FR"], Wait: func(context.Context, time.Time) error { return nil }})
	if err != nil {
		return lines, fmt.Errorf("FR plays the script: %w", err)
	}
	for _, p := range played {
		lines = append(lines, fmt.Sprintf("inject at minute %d: %s to %s (%s%s)", p.Minute, p.Kind, p.Target, p.CaseID, p.PingID))
	}
	it := w.Net.Node("IT")
	if err := waitFor(ctx, "the exercise preservation at IT", 30*time.Second, func() (bool, error) {
		_, err := it.Cases.Get(ctx, played[0].CaseID)
		return err == nil, nil
	}); err != nil {
		return lines, err
	}
	if _, err := it.Cases.Act(ctx, played[0].CaseID, request.Step{To: request.StateAcknowledged, By: officers["IT"]}, nil); err != nil {
		return lines, fmt.Errorf("IT acknowledges the exercise preservation: %w", err)
	}
	var challenge string
	if err := waitFor(ctx, "the exercise ping at IT", 30*time.Second, func() (bool, error) {
		chs, err := w.Services["IT"].Ping.Challenges(ctx, false)
		for _, c := range chs {
			challenge = c.ID
		}
		return challenge != "", err
	}); err != nil {
		return lines, err
	}
	if _, err := w.Services["IT"].Ping.Answer(ctx, challenge, officers["IT"]); err != nil {
		return lines, fmt.Errorf("IT answers the exercise ping: %w", err)
	}
	lines = append(lines, "IT: acknowledged the exercise preservation and answered the exercise ping ("+officers["IT"]+")")

	// Absent from the real statistics, present in the exercise's own.
	to := w.Clock.Now().Add(24 * time.Hour) // a fixed demo clock: include what happened at "now"
	src := stats.New(it.DB, it.Clock)
	real, err := src.Compute(ctx, stats.Query{To: to})
	if err != nil {
		return lines, err
	}
	own, err := src.Compute(ctx, stats.Query{To: to, Exercise: DemoExercise})
	if err != nil {
		return lines, err
	}
	pings := 0
	for _, p := range own.Pings {
		pings += p.Pings
	}
	if own.Received.Requests != 1 || pings != 1 || real.Excluded.Exercises < 1 {
		return lines, fmt.Errorf("IT statistics: exercise %s counts %d request(s) and %d ping(s), real work leaves out %d exercise request(s); want 1, 1, at least 1",
			DemoExercise, own.Received.Requests, pings, real.Excluded.Exercises)
	}
	lines = append(lines, fmt.Sprintf("IT statistics: real work counts %d received request(s) and leaves the exercise out (%d); exercise %s counts its own: %d request, %d ping",
		real.Received.Requests, real.Excluded.Exercises, DemoExercise, own.Received.Requests, pings))
	lines = append(lines, "the exercise stays open: every portal page of FR, US and IT shows the EXERCISE banner ('art35 exercise close "+DemoExercise+"' archives its cases)")
	return lines, nil
}
