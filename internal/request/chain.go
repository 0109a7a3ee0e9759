package request

import (
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// handlingRank orders handling codes from least to most restrictive, so
// that a derived request never weakens its source's code (SPEC section 7).
var handlingRank = map[HandlingCode]int{H0: 0, H1: 1, H2: 2, H3: 3}

// stricter returns the more restrictive of two handling blocks, merging
// their conditions.
func stricter(a, b Handling) Handling {
	out := a
	if handlingRank[b.Code] > handlingRank[a.Code] {
		out.Code = b.Code
	}
	out.Conditions = slices.Clone(a.Conditions)
	for _, c := range b.Conditions {
		if !slices.Contains(out.Conditions, c) {
			out.Conditions = append(out.Conditions, c)
		}
	}
	return out
}

// PreserveFromTrafficPath turns a traffic-path answer into the next
// preservation request, to the provider's country (SPEC story 1): the
// facts, offence and contacts come from the original preservation, the
// custodian and identifiers from the answer, and the new request links
// both. The result still goes through Validate and a person's review
// before it is sent (Protocol Art. 14(6)).
func PreserveFromTrafficPath(original, answer *Request, newID string, now time.Time) (*Request, error) {
	if original == nil || original.Type != TypePreserve || original.Preserve == nil {
		return nil, apperr.Errorf(apperr.EInvalid, "the original request must be a preserve request with its content")
	}
	if answer == nil || answer.Type != TypeTrafficPath || answer.TrafficPath == nil {
		return nil, apperr.Errorf(apperr.EInvalid, "the answer must be a traffic-path request with its content")
	}
	tp := answer.TrafficPath
	if tp.PreservationID != original.ID {
		return nil, apperr.Errorf(apperr.EInvalid, "traffic-path %s answers preservation %q, not %q; pair the answer with the request it answers", answer.ID, tp.PreservationID, original.ID)
	}
	country := strings.ToUpper(strings.TrimSpace(tp.Provider.Country))
	if country == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "traffic-path %s does not name the provider's country (traffic_path.provider.country); ask the requested party for it", answer.ID)
	}
	if country == original.Requesting.Party {
		return nil, apperr.Errorf(apperr.EInvalid, "the provider in traffic-path %s is in %s, the requesting party itself: use a domestic order, not a preservation request", answer.ID, country)
	}
	if strings.TrimSpace(newID) == "" {
		return nil, apperr.Errorf(apperr.EInvalid, "a network-wide id for the new request is required")
	}
	op := original.Preserve
	ids := make([]Identifier, len(tp.Identifiers))
	for i, id := range tp.Identifiers {
		ids[i] = id.Identifier()
	}
	custodian := tp.Provider.Name
	if tp.Provider.Address != "" {
		custodian += ", " + tp.Provider.Address
	}
	provider := tp.Provider
	n := &Request{
		ID:         newID,
		Type:       TypePreserve,
		SenderRef:  original.SenderRef,
		CreatedAt:  NewTimestamp(now.Truncate(time.Second)),
		Requesting: original.Requesting,
		Requested:  Authority{Party: country},
		Priority:   original.Priority,
		LegalBasis: original.LegalBasis,
		Language:   original.Language,
		Handling:   stricter(original.Handling, answer.Handling),
		Links: []Link{
			{Rel: RelTrafficPath, ID: answer.ID, Ref: answer.SenderRef},
			{Rel: RelRelated, ID: original.ID, Ref: original.SenderRef},
		},
		Preserve: &Preserve{
			Status:              "new",
			Offence:             op.Offence,
			Facts:               op.Facts + " The requested party's traffic data (traffic-path " + answer.ID + ") shows that the communication passed through " + tp.Provider.Name + " in " + country + ".",
			Data:                []DataItem{{Category: "traffic", Description: "traffic data of the communications below, at the times given", Identifiers: ids}},
			Relation:            op.Relation,
			Custodian:           custodian,
			Necessity:           op.Necessity,
			MLAWillFollow:       op.MLAWillFollow,
			ReplyChannel:        op.ReplyChannel,
			ConfirmationContact: op.ConfirmationContact,
			Provider:            &provider,
		},
	}
	return n, nil
}

// Extend returns an extension of a preservation request: a new preserve
// with status "extension", the earlier reference and an "extends" link.
func Extend(original *Request, newID string, now time.Time) (*Request, error) {
	if original == nil || original.Type != TypePreserve || original.Preserve == nil {
		return nil, apperr.Errorf(apperr.EInvalid, "only a preserve request can be extended")
	}
	if strings.TrimSpace(newID) == "" || newID == original.ID {
		return nil, apperr.Errorf(apperr.EInvalid, "the extension needs its own network-wide id")
	}
	n := *original
	p := *original.Preserve
	p.Status, p.ExtendsRef = "extension", original.SenderRef
	n.Preserve = &p
	n.ID = newID
	n.CreatedAt = NewTimestamp(now.Truncate(time.Second))
	n.Links = append(slices.Clone(original.Links), Link{Rel: RelExtends, ID: original.ID, Ref: original.SenderRef})
	return &n, nil
}

// ChainNode is one request in a walked chain.
type ChainNode struct {
	Request *Request `json:"-"`
	ID      string   `json:"id"`
	Type    Type     `json:"type"`
	From    string   `json:"from"`
	To      string   `json:"to"`
	Rel     string   `json:"rel,omitempty"` // how it links to its parent
	Depth   int      `json:"depth"`
}

// parents returns the links of r to earlier requests, including those
// implied by content (a traffic-path answers a preservation; an MLA
// follow-up follows one).
func parents(r *Request) []Link {
	links := slices.Clone(r.Links)
	if r.TrafficPath != nil && r.TrafficPath.PreservationID != "" {
		links = append(links, Link{Rel: RelAnswers, ID: r.TrafficPath.PreservationID})
	}
	if r.MLAFollowup != nil && r.MLAFollowup.PreservationID != "" {
		links = append(links, Link{Rel: RelFollowsUp, ID: r.MLAFollowup.PreservationID})
	}
	// RelRelated back to the original is informational when a stronger
	// link exists (a preserve sent on a traffic path hangs under the path).
	strong := slices.ContainsFunc(links, func(l Link) bool { return l.Rel != RelRelated })
	if strong {
		links = slices.DeleteFunc(links, func(l Link) bool { return l.Rel == RelRelated })
	}
	return links
}

// Walk returns the whole chain that contains the request with id start:
// it climbs the links to the first request, then lists every request
// linked below it, depth first, in creation order. Requests not in reqs
// (another node's) end the walk quietly; a loop of links is an error.
func Walk(reqs []*Request, start string) ([]ChainNode, error) {
	byID := map[string]*Request{}
	for _, r := range reqs {
		byID[r.ID] = r
	}
	cur, ok := byID[start]
	if !ok {
		return nil, apperr.Errorf(apperr.ENotFound, "request %q is not among the requests given", start)
	}
	seen := map[string]bool{cur.ID: true}
	for {
		up := ""
		for _, l := range parents(cur) {
			if _, ok := byID[l.ID]; ok {
				up = l.ID
				break
			}
		}
		if up == "" {
			break
		}
		if seen[up] {
			return nil, apperr.Errorf(apperr.EInvalid, "the links of request %s form a loop through %s", start, up)
		}
		seen[up] = true
		cur = byID[up]
	}
	children := map[string][]ChainNode{}
	for _, r := range reqs {
		for _, l := range parents(r) {
			if _, ok := byID[l.ID]; ok {
				children[l.ID] = append(children[l.ID], ChainNode{Request: r, ID: r.ID, Type: r.Type, From: r.Requesting.Party, To: r.Requested.Party, Rel: l.Rel})
				break
			}
		}
	}
	for id := range children {
		slices.SortStableFunc(children[id], func(a, b ChainNode) int { return a.Request.CreatedAt.T.Compare(b.Request.CreatedAt.T) })
	}
	var out []ChainNode
	visited := map[string]bool{}
	var visit func(n ChainNode, depth int) error
	visit = func(n ChainNode, depth int) error {
		if visited[n.ID] {
			return apperr.Errorf(apperr.EInvalid, "the links of request %s form a loop", n.ID)
		}
		visited[n.ID] = true
		n.Depth = depth
		out = append(out, n)
		for _, c := range children[n.ID] {
			if err := visit(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	root := ChainNode{Request: cur, ID: cur.ID, Type: cur.Type, From: cur.Requesting.Party, To: cur.Requested.Party}
	if err := visit(root, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// Weaker reports whether handling code c restricts less than other: a
// message derived from another must never carry a weaker code.
func (c HandlingCode) Weaker(other HandlingCode) bool { return handlingRank[c] < handlingRank[other] }
