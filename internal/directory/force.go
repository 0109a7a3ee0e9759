package directory

import "time"

// Dates on which the instruments themselves entered into force, and the
// number of ratifications each needs. Sources: Council of Europe Treaty
// Office (ETS 185: in force 2004-07-01; CETS 224 Art. 16: five
// ratifications); UN Convention against Cybercrime (A/RES/79/243, opened
// for signature in Hanoi on 2025-10-25): 40 ratifications, not in force.
var budapestInForce = NewDate(2004, time.July, 1)

// DefaultInstruments returns what is known of each instrument itself. The
// Second Protocol's own entry into force is left unknown: our source list
// does not confirm five ratifications, and we do not guess.
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
			Note: "not known to be in force as of the source's date: the list we hold confirms fewer than five ratifications",
		},
		{
			ID: UN2024, Title: "United Nations Convention against Cybercrime (2024)", RatificationsNeeded: 40,
			Rule: "in force on the ninetieth day after the fortieth ratification; for a later party on the thirtieth day after its deposit (final clauses, as we understand the adopted text; check before relying on it)",
			Note: "not in force: it needs 40 ratifications; opened for signature 2025-10-25",
		},
		{
			ID: EU, Title: "Regulation (EU) 2023/1543 on European Production and Preservation Orders",
			Rule: "binds EU member states except Denmark (Protocol No 22 to the Treaties)",
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
