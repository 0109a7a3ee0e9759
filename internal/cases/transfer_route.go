package cases

import (
	"context"

	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// transferNeedsAuthorisation asks the route package whether passing on
// data received from origin in src needs origin's prior authorisation:
// Protocol Art. 14(10) when the Protocol binds origin and this node's
// party, otherwise only the Art. 28(2) conditions origin set (H2 or a
// stated condition). Without a directory or the received request it
// answers yes: refusing to forward is the safe side.
// basis names the rule, for the refusal.
func (s *Service) transferNeedsAuthorisation(ctx context.Context, src *request.Request, origin string, r *request.Request) (need bool, basis string) {
	const unknown = "Protocol Art. 14(10) or Art. 28(2); the directory or the received request could not be read"
	if src == nil || s.Directory == nil {
		return true, unknown
	}
	d, err := s.Directory(ctx)
	if err != nil || d == nil {
		return true, unknown
	}
	t := route.OnwardTransfer(d, origin, r.Requesting.Party, r.Requested.Party, src.Handling.Code, src.Handling.Conditions, s.Clock.Now())
	return t.NeedsAuthorisation, t.Reason
}
