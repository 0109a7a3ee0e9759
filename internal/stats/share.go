package stats

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/strict"
)

// A share is the aggregate a node gives the secretariat for a period:
// its figures per partner country and its pings, counts and durations
// only, signed with the node's key so that the secretariat can tell who
// says what. The secretariat combines the shares of the network's nodes
// (Combine) into the network's figures.

// ShareFormat names the format of a signed share.
const ShareFormat = "art35-stats-share/1"

// shareContext is prefixed to the signed bytes, so that a share's
// signature can never be taken for any other art35 signature.
const shareContext = "art35 stats share v1\n"

// MaxShare bounds a signed share file.
const MaxShare = 1 << 20

// Share is the aggregate of one node for a period.
type Share struct {
	Authority string    `json:"authority"`
	Party     string    `json:"party"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Generated time.Time `json:"generated"`
	Sent      Figures   `json:"sent"`
	Received  Figures   `json:"received"`
	// Partners are the figures per partner country (key), each direction.
	Partners []Row `json:"partners"`
	// Pings are the pings this node sent, per party pinged.
	Pings []PingRow `json:"pings"`
	// Offences are the figures per offence class (key), each direction,
	// so that the network compares like with like.
	Offences []Row `json:"offences"`
}

type signedShare struct {
	Format    string          `json:"format"`
	KeyID     string          `json:"key_id"`
	Signature string          `json:"signature"`
	Share     json.RawMessage `json:"share"`
}

// NewShare computes the share of a node (authority, party) for [from, to):
// real work only, by partner country.
func (s *Source) NewShare(ctx context.Context, authority, party string, from, to time.Time) (*Share, error) {
	r, err := s.Compute(ctx, Query{From: from, To: to, By: ByCountry, Scope: ScopeReal})
	if err != nil {
		return nil, err
	}
	sh := &Share{Authority: authority, Party: party, From: r.From, To: r.To, Generated: r.Computed, Sent: r.Sent, Received: r.Received,
		Partners: r.Rows, Pings: []PingRow{}}
	for _, p := range r.Pings {
		if p.Direction == Sent {
			sh.Pings = append(sh.Pings, p)
		}
	}
	byOffence, err := s.Compute(ctx, Query{From: from, To: to, By: ByOffence, Scope: ScopeReal})
	if err != nil {
		return nil, err
	}
	sh.Offences = byOffence.Rows
	return sh, nil
}

// Sign returns the signed share file.
func (sh *Share) Sign(priv ed25519.PrivateKey) ([]byte, error) {
	body, err := json.Marshal(sh)
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(priv, append([]byte(shareContext), body...))
	pub := keys.FormatSigningPublic(priv.Public().(ed25519.PublicKey))
	return json.MarshalIndent(signedShare{Format: ShareFormat, KeyID: keys.ID(pub), Signature: base64.RawURLEncoding.EncodeToString(sig), Share: body}, "", "  ")
}

// ParseShare reads a signed share without trusting it: structure only.
// VerifyShare checks who signed it.
func ParseShare(data []byte) (*Share, string, []byte, []byte, error) {
	var f signedShare
	if err := strict.Object("share", data, MaxShare, "the file 'art35 stats share' wrote (format, key_id, signature, share)", &f); err != nil {
		return nil, "", nil, nil, err
	}
	if f.Format != ShareFormat {
		return nil, "", nil, nil, apperr.Errorf(apperr.EInvalid, "share: format %q, want %q", f.Format, ShareFormat)
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(f.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, "", nil, nil, apperr.Errorf(apperr.EInvalid, "share: signature must be %d bytes of unpadded base64url", ed25519.SignatureSize)
	}
	// The file is indented for people; the signature covers the compact
	// form of the share, which indenting does not change.
	var body bytes.Buffer
	if err := json.Compact(&body, f.Share); err != nil {
		return nil, "", nil, nil, apperr.Wrap(apperr.EInvalid, err, "share: the figures are not JSON")
	}
	var sh Share
	if err := strict.DecodeJSON(body.Bytes(), &sh); err != nil {
		return nil, "", nil, nil, apperr.Wrap(apperr.EInvalid, err, "share: the figures do not read")
	}
	switch {
	case sh.Authority == "" || sh.Party == "":
		return nil, "", nil, nil, apperr.Errorf(apperr.EInvalid, "share: authority and party are required")
	case !sh.To.After(sh.From):
		return nil, "", nil, nil, apperr.Errorf(apperr.EInvalid, "share: to must be after from")
	}
	return &sh, f.KeyID, sig, body.Bytes(), nil
}

// VerifyShare parses a signed share and checks its signature against the
// signing key the directory lists for its authority (valid when the share
// was made), and that the authority belongs to the party it speaks for.
func VerifyShare(data []byte, d *directory.Snapshot) (*Share, error) {
	sh, keyID, sig, body, err := ParseShare(data)
	if err != nil {
		return nil, err
	}
	p, a, ok := d.AuthorityByID(sh.Authority)
	if !ok {
		return nil, apperr.Errorf(apperr.ENotFound, "share of %s: the authority is not in the directory (snapshot %d)", sh.Authority, d.Serial)
	}
	if p.Code != sh.Party {
		return nil, apperr.Errorf(apperr.EInvalid, "share of %s: it says party %s, the directory says %s", sh.Authority, sh.Party, p.Code)
	}
	for _, k := range a.Keys {
		if k.Use != directory.UseSigning || keys.ID(k.Public) != keyID || !k.ValidAt(sh.Generated) {
			continue
		}
		pub, err := keys.ParseSigningPublic(k.Public)
		if err != nil {
			return nil, err
		}
		if !ed25519.Verify(pub, append([]byte(shareContext), body...), sig) {
			return nil, apperr.Errorf(apperr.EUnauthorized, "share of %s: the signature does not verify with key %s", sh.Authority, keyID)
		}
		return sh, nil
	}
	return nil, apperr.Errorf(apperr.EUnauthorized, "share of %s: key %s is not a signing key of the authority valid at %s", sh.Authority, keyID, sh.Generated.Format(time.RFC3339))
}

// Network is the secretariat's combination of the nodes' shares for a
// period.
type Network struct {
	From      time.Time    `json:"from"`
	To        time.Time    `json:"to"`
	Generated time.Time    `json:"generated"`
	Rows      []NetworkRow `json:"rows"`
	// Refused lists the shares that were not counted, with the reason.
	Refused []string `json:"refused,omitempty"`
}

// NetworkRow is one party of the network: its own figures (when it
// shared them) and how its partners saw it (from their shares).
type NetworkRow struct {
	Party     string `json:"party"`
	Authority string `json:"authority,omitempty"`
	// Shared tells whether the party's node gave a share for the period.
	Shared   bool    `json:"shared"`
	Sent     Figures `json:"sent"`
	Received Figures `json:"received"`
	// SeenBy is what the other nodes measured of the requests they sent
	// to this party: requests, the acknowledgement clock (exactly
	// combined: in time / decided), and the slowest median time to
	// acknowledge among the partners that reported.
	SeenBy PartnersView `json:"seen_by"`
	// Pings are the pings the other nodes sent to this party.
	Pings PingRow `json:"pings"`
	// Offences counts the party's own cases (sent and received) by
	// offence class, from its share.
	Offences map[string]int `json:"offences"`
}

// PartnersView is how the other nodes saw a party.
type PartnersView struct {
	Reporters        []string `json:"reporters"`
	Requests         int      `json:"requests"`
	AckDecided       int      `json:"ack_decided"`
	AckInTime        int      `json:"ack_in_time"`
	AckInTimeShare   float64  `json:"ack_in_time_share"`
	WorstMedianAck   float64  `json:"worst_median_ack_seconds"` // -1 when none acknowledged
	MedianAckBySeers []Seen   `json:"median_ack_by_reporter"`
}

// Seen is one reporter's median time to acknowledge.
type Seen struct {
	Reporter      string  `json:"reporter"`
	Requests      int     `json:"requests"`
	MedianSeconds float64 `json:"median_seconds"`
}

// Combine verifies the signed shares against the directory and combines
// those for exactly [from, to) into the network's figures: one row per
// party whose point of contact lists a node, and per party that shared.
// A share that does not verify, or is for another period, or repeats a
// party, is refused and listed, never counted.
func Combine(shares [][]byte, d *directory.Snapshot, from, to, now time.Time) *Network {
	n := &Network{From: from.UTC(), To: to.UTC(), Generated: now.UTC()}
	byParty := map[string]*Share{}
	for i, raw := range shares {
		sh, err := VerifyShare(raw, d)
		switch {
		case err != nil:
			n.Refused = append(n.Refused, fmt.Sprintf("share %d: %v", i+1, err))
			continue
		case !sh.From.Equal(n.From) || !sh.To.Equal(n.To):
			n.Refused = append(n.Refused, fmt.Sprintf("share %d (%s): period %s to %s, not the report's", i+1, sh.Party,
				sh.From.Format(time.RFC3339), sh.To.Format(time.RFC3339)))
			continue
		case byParty[sh.Party] != nil:
			n.Refused = append(n.Refused, fmt.Sprintf("share %d (%s): a second share of the party", i+1, sh.Party))
			continue
		}
		byParty[sh.Party] = sh
	}
	rows := map[string]*NetworkRow{}
	row := func(party string) *NetworkRow {
		r := rows[party]
		if r == nil {
			r = &NetworkRow{Party: party, Sent: newAcc().figures(), Received: newAcc().figures(),
				SeenBy: PartnersView{Reporters: []string{}, MedianAckBySeers: []Seen{}, AckInTimeShare: -1, WorstMedianAck: -1},
				Pings:  PingRow{Key: party, Direction: Received}, Offences: map[string]int{}}
			rows[party] = r
		}
		return r
	}
	for _, p := range d.Parties {
		for _, a := range p.Authorities {
			if a.Role == directory.RolePointOfContact && a.Endpoint != "" {
				row(p.Code).Authority = a.ID
			}
		}
	}
	for party, sh := range byParty {
		r := row(party)
		r.Shared, r.Authority, r.Sent, r.Received = true, sh.Authority, sh.Sent, sh.Received
		for _, o := range sh.Offences {
			r.Offences[o.Key] += o.Requests
		}
		for _, pr := range sh.Partners {
			if pr.Direction != Sent || pr.Key == party {
				continue
			}
			seen := &row(pr.Key).SeenBy
			seen.Reporters = append(seen.Reporters, party)
			seen.Requests += pr.Requests
			seen.AckDecided += pr.AckDecided
			seen.AckInTime += pr.AckInTime
			if pr.ToAcknowledgement.Count > 0 {
				seen.MedianAckBySeers = append(seen.MedianAckBySeers, Seen{Reporter: party, Requests: pr.ToAcknowledgement.Count, MedianSeconds: pr.ToAcknowledgement.MedianSeconds})
				seen.WorstMedianAck = max(seen.WorstMedianAck, pr.ToAcknowledgement.MedianSeconds)
			}
		}
		for _, p := range sh.Pings {
			pg := &row(p.Key).Pings
			pg.Pings += p.Pings
			pg.Reachable += p.Reachable
			pg.Answered += p.Answered
			pg.InTime += p.InTime
			pg.Failed += p.Failed
			pg.Waiting += p.Waiting
		}
	}
	for _, r := range rows {
		r.SeenBy.AckInTimeShare = share(r.SeenBy.AckInTime, r.SeenBy.AckDecided)
		slices.Sort(r.SeenBy.Reporters)
		sort.Slice(r.SeenBy.MedianAckBySeers, func(i, j int) bool {
			return r.SeenBy.MedianAckBySeers[i].Reporter < r.SeenBy.MedianAckBySeers[j].Reporter
		})
		n.Rows = append(n.Rows, *r)
	}
	sort.Slice(n.Rows, func(i, j int) bool { return n.Rows[i].Party < n.Rows[j].Party })
	return n
}
