package testnet

import (
	"context"
	"time"

	"github.com/art35/art35/internal/directory"
)

// RepublishNotifyWorld republishes the network's directory as a test
// world (today the Second Protocol is not in force) where the Protocol
// binds FR and DE since 2026-06-01, DE requires notification of Art. 7
// orders (Art. 7(5)(a)), DE-NOT is DE's notification authority and
// DE-EUE, where the network has it, its enforcing authority under
// Regulation (EU) 2023/1543. The cases tests and the CLI's share it.
func (n *Net) RepublishNotifyWorld(ctx context.Context, now time.Time) error {
	return n.Republish(ctx, now, func(d *directory.Snapshot) {
		start := directory.NewDate(2026, time.June, 1)
		for i := range d.Instruments {
			if d.Instruments[i].ID == directory.Protocol2 {
				d.Instruments[i].InForce = start
			}
		}
		for _, code := range []string{"FR", "DE"} {
			p, _ := d.Party(code)
			p.Protocol2 = directory.InstrumentStatus{Status: directory.StatusParty, Deposited: directory.NewDate(2026, time.January, 5), InForce: start}
		}
		de, _ := d.Party("DE")
		de.Reservations = append(de.Reservations, directory.Reservation{Kind: directory.NotificationRequired})
		for i := range de.Authorities {
			switch de.Authorities[i].ID {
			case "DE-NOT":
				de.Authorities[i].Role = directory.RoleNotification
			case "DE-EUE":
				de.Authorities[i].Role = directory.RoleEUEnforcing
			}
		}
	})
}
