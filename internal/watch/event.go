package watch

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/strict"
)

// Limits of an event body.
const (
	MaxBody    = 16 << 10
	MaxHops    = 16
	MaxText    = 256
	IDLen      = 32
	MaxRequest = 128
	// MaxLocation bounds an operator's location answer (an address and
	// a few words).
	MaxLocation = 1024
)

// Hop is one step an event went through, timed to the microsecond by the
// clock of the node that took it.
type Hop struct {
	Where string    `json:"where"` // e.g. "GB-247 received from provider"
	At    time.Time `json:"at"`
}

// Event is one login event of a watched account: the address and source
// port it came from and the UTC time to the second (what a provider can
// be asked about behind carrier-grade NAT), the attribution made by the
// watched side, the legal basis it travels under and its hops so far.
type Event struct {
	ID       string    `json:"id"`
	Request  string    `json:"request"` // the realtime-traffic request id
	Address  string    `json:"address"`
	Port     int       `json:"port"`
	Time     time.Time `json:"time"`
	Country  string    `json:"country,omitempty"`
	Operator string    `json:"operator,omitempty"`
	Basis    string    `json:"basis"`
	Hops     []Hop     `json:"hops"`
	// Requester is the authority that asked for the watch, so that the
	// address's country can send the location answer back to it.
	Requester string `json:"requester,omitempty"`
	// Location is the operator's answer (subkind "location"): where the
	// subscriber behind the address was at the time, e.g. a cybercafé.
	Location  string `json:"location,omitempty"`
	LocatedBy string `json:"located_by,omitempty"`
}

// EndToEnd is the time from the first hop to the last.
func (e Event) EndToEnd() time.Duration {
	if len(e.Hops) < 2 {
		return 0
	}
	return e.Hops[len(e.Hops)-1].At.Sub(e.Hops[0].At)
}

// ParseEvent reads an event body received from a peer; it refuses unknown
// fields, trailing data and anything Validate refuses.
func ParseEvent(data []byte) (Event, error) {
	var e Event
	if err := strict.Object("watch event", data, MaxBody, `{"id","request","address","port","time","basis","hops"}`, &e); err != nil {
		return Event{}, err
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

func evErr(field, rule string, args ...any) error {
	return apperr.Errorf(apperr.EInvalid, "watch event %s: %s", field, fmt.Sprintf(rule, args...))
}

// Validate checks an event's fields.
func (e Event) Validate() error {
	if !strict.LowerHex(e.ID, IDLen) {
		return evErr("id", "must be %d lowercase hex characters", IDLen)
	}
	if e.Request == "" || len(e.Request) > MaxRequest || !printable(e.Request) {
		return evErr("request", "must be the realtime-traffic request id (1 to %d printable characters)", MaxRequest)
	}
	if _, err := ParseAddress(e.Address); err != nil {
		return err
	}
	if e.Port < 0 || e.Port > 65535 {
		return evErr("port", "%d is not a port (0 to 65535; 0 when the provider does not log it)", e.Port)
	}
	if e.Time.IsZero() || !e.Time.Equal(e.Time.Truncate(time.Second)) {
		return evErr("time", "must be the UTC time of the event to the second (RFC 3339, no fraction)")
	}
	if len(e.Country) != 0 && (len(e.Country) != 2 || e.Country[0] < 'A' || e.Country[0] > 'Z' || e.Country[1] < 'A' || e.Country[1] > 'Z') {
		return evErr("country", "%q must be an ISO 3166-1 alpha-2 code in upper case, or empty", e.Country)
	}
	if len(e.Operator) > MaxText || !printable(e.Operator) {
		return evErr("operator", "at most %d printable characters", MaxText)
	}
	if e.Basis == "" || len(e.Basis) > MaxText || !printable(e.Basis) {
		return evErr("basis", "must state the legal basis the event travels under (1 to %d printable characters)", MaxText)
	}
	if len(e.Requester) > 64 || !printable(e.Requester) {
		return evErr("requester", "at most 64 printable characters (an authority id)")
	}
	if len(e.Location) > MaxLocation || !printable(e.Location) || len(e.LocatedBy) > MaxText || !printable(e.LocatedBy) {
		return evErr("location", "at most %d printable characters, and located_by at most %d", MaxLocation, MaxText)
	}
	if len(e.Hops) == 0 || len(e.Hops) > MaxHops {
		return evErr("hops", "%d hops; want 1 to %d", len(e.Hops), MaxHops)
	}
	for i, h := range e.Hops {
		if h.Where == "" || len(h.Where) > MaxText || !printable(h.Where) || h.At.IsZero() {
			return evErr(fmt.Sprintf("hops[%d]", i), "needs where (1 to %d printable characters) and at (RFC 3339)", MaxText)
		}
	}
	return nil
}

// ParseAddress parses an event's IP address (IPv4 or IPv6, no zone).
func ParseAddress(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, evErr("address", "%q is not an IPv4 or IPv6 address without zone (e.g. 80.58.61.250)", s)
	}
	return a.Unmap(), nil
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}
