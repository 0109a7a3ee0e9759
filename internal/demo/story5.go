package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/art35/art35/internal/ping"
)

// playPings is story 5 (a ping test of the network): the secretariat's
// node (FR) pings every point of contact; every node returns its machine
// receipt at once; the officers on duty in Italy, Spain and the United
// Kingdom answer, the others have not yet (their window is 30 minutes).
func playStory5(ctx context.Context, w *World) ([]string, error) {
	fr := w.Services["FR"].Ping
	camp, err := fr.StartCampaign(ctx, ping.CampaignOptions{By: officers["FR"]})
	if err != nil {
		return nil, err
	}
	results := func() ([]ping.Result, error) {
		return fr.Results(ctx, ping.Filter{Campaign: camp.ID})
	}
	if err := waitFor(ctx, "every machine receipt of the ping campaign", 30*time.Second, func() (bool, error) {
		rs, err := results()
		if err != nil {
			return false, err
		}
		for _, r := range rs {
			if !r.Reachable {
				return false, nil
			}
		}
		return len(rs) > 0, nil
	}); err != nil {
		return nil, err
	}
	answering := []string{"IT", "ES", "GB"}
	for _, party := range answering {
		var chID string
		if err := waitFor(ctx, "the challenge at "+party, 30*time.Second, func() (bool, error) {
			chs, err := w.Services[party].Ping.Challenges(ctx, false)
			for _, c := range chs {
				chID = c.ID
			}
			return chID != "", err
		}); err != nil {
			return nil, err
		}
		if _, err := w.Services[party].Ping.Answer(ctx, chID, officers[party]); err != nil {
			return nil, fmt.Errorf("%s answers the ping: %w", party, err)
		}
	}
	if err := waitFor(ctx, "the answers at the secretariat", 30*time.Second, func() (bool, error) {
		rs, err := results()
		n := 0
		for _, r := range rs {
			if r.AnsweredBy != "" {
				n++
			}
		}
		return n == len(answering), err
	}); err != nil {
		return nil, err
	}
	rs, err := results()
	if err != nil {
		return nil, err
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Party < rs[j].Party })
	var answered, waiting []string
	for _, r := range rs {
		if r.AnsweredBy != "" {
			answered = append(answered, fmt.Sprintf("%s (%s, %.0f s)", r.Party, r.AnsweredBy, r.AnswerSeconds))
		} else {
			waiting = append(waiting, r.Party)
		}
	}
	return []string{
		fmt.Sprintf("FR (secretariat) pinged %d points of contact: %d machine receipts", len(rs), len(rs)),
		"answered by a person: " + strings.Join(answered, ", "),
		"not yet answered (window 30 min, then the backup is called): " + strings.Join(waiting, ", "),
	}, nil
}
