package federation

import "context"

// Unauthenticated reports whether a refusal with code c comes before the
// envelope's signature was verified (Inbox.receive checks size, syntax,
// recipient and sender key first). What such an envelope says about its
// sender, id or recipient is a claim of anyone at all: it must never be
// recorded as the claimed sender's act, and a flood of them is limited
// per source address (Handler.Refusals).
func (c Code) Unauthenticated() bool {
	switch c {
	case CodeMalformed, CodeUnsupportedVersion, CodeOversized, CodeWrongRecipient,
		CodeUnknownRecipientKey, CodeUnknownSender, CodeBadSignature:
		return true
	}
	return false
}

type remoteKey struct{}

// WithRemote returns ctx carrying the source address of the request being
// received (ratelimit.Source form), for the rejection log.
func WithRemote(ctx context.Context, source string) context.Context {
	return context.WithValue(ctx, remoteKey{}, source)
}

// RemoteFrom returns the source address WithRemote put in ctx, or "".
func RemoteFrom(ctx context.Context) string {
	s, _ := ctx.Value(remoteKey{}).(string)
	return s
}
