package demo

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/federation"
	"github.com/art35/art35/internal/keys"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/testnet"
)

// playStory7 is SPEC story 7, a forged emergency request: four forgeries
// of a US emergency disclosure request reach the UK's point of contact and
// are each refused with their code; then the genuine request, signed by
// the US node and countersigned by a second US officer, is executed only
// once the countersignature is in.
func playStory7(ctx context.Context, w *World) ([]string, error) {
	us, gb, fr := w.Net.Node("US"), w.Net.Node("GB"), w.Net.Node("FR")
	var report []string
	now := w.Clock.Now()
	// The secretariat publishes the US unit's duty number, a second
	// officer's own signing key, and the key the US revoked after a
	// mailbox compromise (older than the node's key).
	secondPub, second, err := keys.GenerateSigning()
	if err != nil {
		return nil, err
	}
	oldPub, old, err := keys.GenerateSigning()
	if err != nil {
		return nil, err
	}
	_, stranger, err := keys.GenerateSigning()
	if err != nil {
		return nil, err
	}
	if err := story7Directory(ctx, w.Net, now, func(a *directory.Authority) {
		a.Phone = "+00 1 555 0199"
		a.Keys = append(a.Keys,
			directory.Key{Use: directory.UseSigning, Public: keys.FormatSigningPublic(secondPub), ValidFrom: now.Add(-48 * time.Hour)},
			directory.Key{Use: directory.UseSigning, Public: keys.FormatSigningPublic(oldPub), ValidFrom: now.Add(-30 * 24 * time.Hour), Revoked: now.Add(-time.Hour)})
	}); err != nil {
		return report, err
	}
	peer, err := us.Outbox.Peers.Peer(ctx, "GB-247")
	if err != nil {
		return report, err
	}
	doc := func(id string) []byte { return testnet.RequestDoc("emergency-disclosure", id, "US", "GB", now) }
	header := func(idem string) envelope.Header {
		return envelope.Header{IdempotencyKey: idem, Kind: envelope.KindRequest, Subkind: "emergency-disclosure", Recipient: "GB-247", CaseRef: "EX-" + idem}
	}
	// resign makes the envelope look signed by key (its id in the header).
	resign := func(env *envelope.Envelope, key ed25519.PrivateKey) {
		env.Header.SenderKeyID = keys.ID(keys.FormatSigningPublic(key.Public().(ed25519.PublicKey)))
		env.Signature = ed25519.Sign(key, env.SignatureInput())
	}
	genuine, _, err := us.Cases.Submit(ctx, doc("US-2026-070001"), "Alex Example")
	if err != nil {
		return report, fmt.Errorf("US sends the emergency request: %w", err)
	}
	id := genuine.Request.ID
	if err := waitFor(ctx, "GB holds "+id, 20*time.Second, stateIs(ctx, gb, id, request.StateDelivered)); err != nil {
		return report, err
	}
	report = append(report, fmt.Sprintf("US sent emergency-disclosure %s to GB (signed by the US node's key)", id))

	forgeries := []struct {
		what, want string
		seal       func() (*envelope.Envelope, error)
	}{
		{"forged: a valid format, signed by a key not in the directory", string(federation.CodeUnknownSender), func() (*envelope.Envelope, error) {
			env, err := us.Seal(ctx, header("forged-1"), doc("US-2026-070002"))
			if err == nil {
				resign(env, stranger)
			}
			return env, err
		}},
		{"signed with the US key revoked after a mailbox compromise", string(federation.CodeKeyRevoked), func() (*envelope.Envelope, error) {
			env, err := us.Seal(ctx, header("forged-2"), doc("US-2026-070003"))
			if err == nil {
				resign(env, old)
			}
			return env, err
		}},
		{"replayed: the genuine envelope's id with another body", string(federation.CodeReplayed), func() (*envelope.Envelope, error) {
			h := header("forged-3")
			h.ID = genuine.MessageID
			return us.Seal(ctx, h, doc("US-2026-070004"))
		}},
		{"from another authority's key: FR's node sends a US request", string(federation.CodeNotSenderParty), func() (*envelope.Envelope, error) {
			return fr.Seal(ctx, header("forged-4"), doc("US-2026-070005"))
		}},
	}
	for _, f := range forgeries {
		env, err := f.seal()
		if err != nil {
			return report, fmt.Errorf("%s: %w", f.what, err)
		}
		_, err = us.Client.Send(ctx, peer, env)
		rej, ok := federation.AsRejection(err)
		if !ok || string(rej.Code) != f.want {
			return report, fmt.Errorf("%s: answered %v, want %s", f.what, err, f.want)
		}
		report = append(report, fmt.Sprintf("GB refused %s: %s", f.what, rej.Code))
	}

	// The genuine one: GB acknowledges and starts, but may not disclose
	// until a second US officer countersigns.
	for _, to := range []request.State{request.StateAcknowledged, request.StateInProgress} {
		if _, err := gb.Cases.Act(ctx, id, request.Step{To: to, By: officers["GB"]}, nil); err != nil {
			return report, fmt.Errorf("GB marks %s %s: %w", id, to, err)
		}
	}
	disclose := request.Step{To: request.StateDisclosed, By: officers["GB"], Details: "login IPs sent (fictional)"}
	if _, err := gb.Cases.Act(ctx, id, disclose, nil); err == nil {
		return report, fmt.Errorf("GB disclosed an unconfirmed emergency request")
	}
	report = append(report, "GB may not disclose yet: the request is neither countersigned nor called back")
	if err := us.Cases.Countersign(ctx, id, "Bo Example (fictional)", second); err != nil {
		return report, fmt.Errorf("US countersigns: %w", err)
	}
	if err := waitFor(ctx, "the countersignature at GB", 20*time.Second, func() (bool, error) {
		c, err := gb.Cases.Confirm(ctx, id)
		return err == nil && c.Confirmed, err
	}); err != nil {
		return report, err
	}
	if _, err := gb.Cases.Act(ctx, id, disclose, nil); err != nil {
		return report, fmt.Errorf("GB discloses: %w", err)
	}
	if err := waitFor(ctx, "US sees the disclosure", 20*time.Second, stateIs(ctx, us, id, request.StateDisclosed)); err != nil {
		return report, err
	}
	report = append(report, "a second US officer countersigned; GB executed the genuine request and the US sees it disclosed")
	return report, nil
}

// story7Directory has the secretariat publish a changed US entry to every
// node of the demo network.
func story7Directory(ctx context.Context, net *testnet.Net, now time.Time, change func(a *directory.Authority)) error {
	cur, err := net.Node("US").Directory(ctx)
	if err != nil {
		return err
	}
	d, err := cur.Clone()
	if err != nil {
		return err
	}
	_, a, ok := d.AuthorityByID("US-247")
	if !ok {
		return fmt.Errorf("US-247 is not in the demo directory")
	}
	change(a)
	for i := range a.Keys {
		if a.Keys[i].ID == "" {
			a.Keys[i].ID = keys.ID(a.Keys[i].Public)
		}
	}
	signed, err := directory.Sign(d, net.SecretariatKey, cur.Serial+1, now, 365*24*time.Hour)
	if err != nil {
		return err
	}
	for _, party := range parties {
		if _, err := net.Node(party).AcceptSnapshot(ctx, signed); err != nil {
			return fmt.Errorf("%s accepts the directory: %w", party, err)
		}
	}
	return nil
}
