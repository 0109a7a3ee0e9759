package directory

import (
	"fmt"
	"time"
)

// Dates on which the instruments themselves entered into force, and the
// number of ratifications each needs. Sources: Council of Europe Treaty
// Office (ETS 185: in force 2004-07-01; CETS 224 Art. 16: five
// ratifications); UN Convention against Cybercrime (A/RES/79/243, opened
// for signature in Hanoi on 2025-10-25): 40 ratifications, not in force.
var budapestInForce = NewDate(2004, time.July, 1)

// DefaultInstruments returns what is known of each instrument itself. The
// Second Protocol is not in force: three ratifications of the five it
// needs as of 2026-02-05 (data/SOURCES-parties.md).
func DefaultInstruments() []InstrumentInfo {
	return []InstrumentInfo{
		{
			ID: Budapest, Title: "Convention on Cybercrime (ETS No. 185)", RatificationsNeeded: 5,
			InForce: budapestInForce,
			Rule:    "Art. 36(4) and 37(2): first day of the month following three months after the deposit",
		},
		{
			ID: Protocol2, Title: "Second Additional Protocol on enhanced co-operation and disclosure of electronic evidence (CETS No. 224)", RatificationsNeeded: 5,
			Rule: "Art. 16(3)-(4): first day of the month following three months after the fifth consent, then after each later deposit",
			Note: "not in force as of 2026-02-05: three ratifications (Serbia 2023-02-09, Japan 2023-08-10, Hungary 2026-02-05) of the five it needs",
		},
		{
			ID: UN2024, Title: "United Nations Convention against Cybercrime (2024)", RatificationsNeeded: 40,
			Rule: "in force on the ninetieth day after the fortieth ratification; for a later party on the thirtieth day after its deposit (final clauses, as we understand the adopted text; check before relying on it)",
			Note: "not in force: it needs 40 ratifications; opened for signature 2025-10-25; no instrument of ratification is recorded in our sources (one unverified report of two, April 2026)",
		},
		{
			ID: EU, Title: "Regulation (EU) 2023/1543 on European Production and Preservation Orders",
			InForce: EUApplication,
			Rule:    "applies from 2026-08-18 (Art. 34(2)) to EU member states except Denmark (Protocol No 22 to the Treaties); Ireland takes part",
			Note:    "entered into force 2023-08-17; orders may be issued only from its date of application",
		},
	}
}

// FirstDayAfterThreeMonths applies the Council of Europe rule (Budapest
// Art. 36(4), 37(2); Protocol Art. 16(4)): "the first day of the month
// following the expiration of a period of three months after the date of
// deposit". Three months after any day of month M expires within month
// M+3 (30 November + 3 months is 28 February, not 2 March), so the answer
// is always the first day of month M+4. Going through time.AddDate would
// be wrong at month ends, where Go normalises 2025-02-30 to 2025-03-02.
func FirstDayAfterThreeMonths(deposit Date) Date {
	t := deposit.Time()
	return NewDate(t.Year(), t.Month()+4, 1)
}

// EntryIntoForce returns the date an instrument enters into force for a
// party that deposited on deposit, given the instrument's own entry into
// force (info.InForce). ok is false when that cannot be known: no deposit
// date, or the instrument itself is not (known to be) in force.
func EntryIntoForce(info InstrumentInfo, deposit Date) (Date, bool) {
	if deposit.IsZero() || info.InForce.IsZero() {
		return Date{}, false
	}
	var d Date
	switch info.ID {
	case Budapest, Protocol2:
		d = FirstDayAfterThreeMonths(deposit)
	case UN2024:
		d = Date{deposit.Time().AddDate(0, 0, 30)}
	default:
		return Date{}, false
	}
	// A party that deposited before the instrument itself entered into
	// force is bound from that date (Budapest Art. 36(3)).
	if d.Before(info.InForce) {
		d = info.InForce
	}
	return d, true
}

// describeInstrument fills in the number of ratifications the snapshot
// holds for the instrument and says in words whether it is in force.
func (s *Snapshot) describeInstrument(info *InstrumentInfo) {
	n := 0
	for _, p := range s.Parties {
		if in := p.Status(info.ID); info.ID != EU && in.Status == StatusParty && (!in.Deposited.IsZero() || in.InForceUndated) {
			n++
		}
	}
	info.Ratifications = n
	switch {
	case info.ID == EU:
		info.State = "applies from " + info.InForce.String() + " (Art. 34(2))"
	case !info.InForce.IsZero():
		info.State = "in force since " + info.InForce.String()
	case info.RatificationsNeeded > 0:
		info.State = fmt.Sprintf("not in force (%d of %d ratifications)", n, info.RatificationsNeeded)
	default:
		info.State = "not known to be in force"
	}
}
