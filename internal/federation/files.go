package federation

import (
	"context"
	"strings"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/envelope"
	"github.com/art35/art35/internal/strict"
)

// Envelopes carried out of band, as files ("art35 envelope import",
// "export" and "import-receipt"): the same checks as over HTTP, with
// errors that name the file.

// ReceiveFile stores the envelope read from the file name as Receive
// does (via "file"); a refusal names the file and keeps the rejection's
// error code.
func (in *Inbox) ReceiveFile(ctx context.Context, name string, raw []byte) (*Result, error) {
	res, err := in.Receive(ctx, raw, "file")
	if err != nil {
		if rej, ok := AsRejection(err); ok {
			return nil, apperr.Wrap(rej.AppCode(), rej, "%s refused", name)
		}
		return nil, err
	}
	return res, nil
}

// Stored returns the stored envelope id, inbound or outbound, as it
// travelled. id is a message id in either case.
func (e *Envelopes) Stored(ctx context.Context, id string) ([]byte, error) {
	lower := strings.ToLower(id)
	if !strict.LowerHex(lower, envelope.IDLen) {
		return nil, apperr.Errorf(apperr.EInvalid, "message id %q: want %d hex characters (see 'art35 node status' or the case view)", id, envelope.IDLen)
	}
	raw, err := e.InboundEnvelope(ctx, lower)
	if apperr.Is(err, apperr.ENotFound) {
		raw, err = e.OutboundEnvelope(ctx, lower)
	}
	return raw, err
}

// ImportReceipt checks a receipt (raw) that came back out of band for the
// envelope env, read from the file envName, which this node (authority
// self) sent, and marks the envelope delivered (see CheckReceipt).
func (e *Envelopes) ImportReceipt(ctx context.Context, k Keys, self string, env *envelope.Envelope, envName string, raw []byte) (*envelope.Receipt, error) {
	if env.Header.Sender != self {
		return nil, apperr.Errorf(apperr.EInvalid, "%s was sent by %s, not by this node (%s)", envName, env.Header.Sender, self)
	}
	r, err := CheckReceipt(ctx, k, env, raw)
	if err != nil {
		return nil, err
	}
	if err := e.MarkDelivered(ctx, env.Header.ID, r); err != nil {
		return nil, err
	}
	return r, nil
}
