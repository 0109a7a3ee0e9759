package cases

import (
	"context"
	"slices"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/store"
)

// One clock computation (SPEC section 6, issue 12): the clock runner, the
// CLI (case show, case list) and the portal all compute a case's clocks
// through ClockFacts, so they read the same facts and show the same due
// dates. Besides the case's own lifecycle the facts include what other
// requests held here say about it:
//
//   - the mla-followup that follows up a preservation (Art. 29(7)): its
//     delivery holds the preservation until the MLA is decided;
//   - an extension (a preserve with an "extends" link) applied to the
//     original: under Regulation (EU) 2023/1543 it extends the order by 30
//     days when it reaches the addressee (Art. 11(1)); under the Convention
//     when the requested party executes it (preserved), to the end date it
//     gave.

// clockLinks is what other requests say about a case's clocks.
type clockLinks struct {
	mla map[string]*request.Lifecycle // preservation id -> its mla-followup's lifecycle
	ext map[string][]request.Evidence // original id -> extension notes derived from extension requests
}

// linkOne adds what request r (with lifecycle lc) says about others.
func (k *clockLinks) linkOne(r *request.Request, lc *request.Lifecycle) {
	if r == nil || lc == nil {
		return
	}
	if r.Type == request.TypeMLAFollowup && r.MLAFollowup != nil && r.MLAFollowup.PreservationID != "" {
		k.mla[r.MLAFollowup.PreservationID] = lc
	}
	if r.Type != request.TypePreserve {
		return
	}
	for _, l := range r.Links {
		if l.Rel != request.RelExtends || l.ID == "" {
			continue
		}
		var ev request.Evidence
		if r.LegalBasis.Instrument == request.InstrumentEU {
			e, ok := lc.First("transition", request.StateDelivered)
			if !ok {
				continue
			}
			ev = request.Evidence{Kind: request.NoteExtended, At: e.At, By: e.By, As: request.BySystem, RequestID: l.ID,
				Details: "extension " + r.ID + " reached the addressee (Reg. 2023/1543 Art. 11(1))"}
		} else {
			e, ok := lc.First("transition", request.StatePreserved)
			if !ok {
				continue
			}
			ev = request.Evidence{Kind: request.NoteExtended, At: e.At, By: e.By, As: request.BySystem, RequestID: l.ID, Until: e.Until,
				Details: "extension " + r.ID + " executed (Art. 29)"}
		}
		k.ext[l.ID] = append(k.ext[l.ID], ev)
	}
}

// facts builds the clock engine's facts for one case.
func (k *clockLinks) facts(r *request.Request, lc *request.Lifecycle, zone *time.Location) request.Facts {
	f := request.Facts{Request: r, Lifecycle: lc, Zone: zone}
	if r == nil || lc == nil {
		return f
	}
	f.MLA = k.mla[r.ID]
	if ext := k.ext[r.ID]; len(ext) > 0 {
		cp := *lc
		cp.Evidences = append(slices.Clone(lc.Evidences), ext...)
		slices.SortStableFunc(cp.Evidences, func(a, b request.Evidence) int { return a.At.Compare(b.At) })
		f.Lifecycle = &cp
	}
	return f
}

// loadClockLinks reads the mla-followups and extensions held on this node.
func (s *Service) loadClockLinks(ctx context.Context) (*clockLinks, error) {
	k := &clockLinks{mla: map[string]*request.Lifecycle{}, ext: map[string][]request.Evidence{}}
	rows, err := s.DB.QueryContext(ctx, `SELECT id, document FROM requests WHERE type = $1 OR type = $2`, string(request.TypeMLAFollowup), string(request.TypePreserve))
	if err != nil {
		return nil, store.MapError(err)
	}
	type item struct {
		id string
		r  *request.Request
	}
	var items []item
	for rows.Next() {
		var (
			id  string
			doc []byte
		)
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return nil, err
		}
		r, _ := request.Decode(doc)
		if r == nil {
			continue
		}
		if r.Type == request.TypeMLAFollowup || slices.ContainsFunc(r.Links, func(l request.Link) bool { return l.Rel == request.RelExtends }) {
			items = append(items, item{id, r})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, it := range items {
		lc, err := loadLifecycle(ctx, s.DB, it.id)
		if err != nil {
			return nil, err
		}
		k.linkOne(it.r, lc)
	}
	return k, nil
}

// ClockLinks is what the requests held here say about each other's
// clocks (linked MLA follow-ups, extensions), read once for many cases:
// the clock runner loads it once per batch instead of once per case.
type ClockLinks struct{ k *clockLinks }

// LoadClockLinks reads the links for a batch of ClockLinks.Facts calls.
func (s *Service) LoadClockLinks(ctx context.Context) (*ClockLinks, error) {
	k, err := s.loadClockLinks(ctx)
	if err != nil {
		return nil, err
	}
	return &ClockLinks{k}, nil
}

// Facts is ClockFacts with links already loaded: the same computation.
func (l *ClockLinks) Facts(c *Case, d *directory.Snapshot) request.Facts {
	return l.k.facts(c.Request, c.Lifecycle, Zone(c.Request, d))
}

// ClockFacts returns the facts the clock engine reads for case c: its
// request and lifecycle with the extensions applied, the linked MLA
// follow-up, and the zone days are counted in (the requested authority's,
// from directory d, which may be nil).
func (s *Service) ClockFacts(ctx context.Context, c *Case, d *directory.Snapshot) (request.Facts, error) {
	l, err := s.LoadClockLinks(ctx)
	if err != nil {
		return request.Facts{}, err
	}
	return l.Facts(c, d), nil
}

// Clocks computes case c's deadlines and due actions at now under policy
// p: the one computation the runner, the CLI and the portal show.
func (s *Service) Clocks(ctx context.Context, c *Case, p request.Policy, now time.Time) (request.Agenda, request.Facts, error) {
	d, _ := s.Directory(ctx) // without a directory, days count in the request's own zone or UTC
	f, err := s.ClockFacts(ctx, c, d)
	if err != nil {
		return request.Agenda{}, f, err
	}
	return request.Due(f, p, now), f, nil
}
