package request

// Provision says that an instrument provides for a request type, and
// under which article. It is data: the validator uses it to check a
// request's legal basis, and the route package builds its decision table
// on it, so both read the same list.
type Provision struct {
	Instrument Instrument
	Type       Type
	Article    string // as shown to users, e.g. "Art. 29"
}

// Provisions lists, per instrument, the request types it provides for.
// UN 2024 article numbers are as SPEC section 5 gives them (41 network,
// 42 preservation, 43 traffic path); check them against the adopted text
// before showing them in a formal letter.
var Provisions = []Provision{
	{InstrumentBudapest, TypePreserve, "Art. 29"},
	{InstrumentBudapest, TypeTrafficPath, "Art. 30"},
	{InstrumentBudapest, TypeMLAFollowup, "Art. 29(2)(f), 31"},
	{InstrumentBudapest, TypeRealtimeTraffic, "Art. 33"},
	{InstrumentBudapest, TypeInterception, "Art. 34"},
	{InstrumentBudapest, TypeSpontaneousInfo, "Art. 26"},
	{InstrumentBudapest, TypeAssistance, "Art. 35(1)"},
	{InstrumentBudapest, TypePing, "Art. 35 (network practice)"},
	// Urgent mutual assistance between Convention parties: expedited means
	// (Art. 25(3)), directly between judicial authorities or through
	// INTERPOL (Art. 27(9)(a)-(b)), where no MLA treaty applies (Art. 27(1)).
	{InstrumentBudapest, TypeEmergencyMLA, "Art. 25(3), 27(9)"},

	{InstrumentProtocol2, TypeEmergencyDisclosure, "Protocol Art. 9"},
	{InstrumentProtocol2, TypeEmergencyMLA, "Protocol Art. 10"},
	{InstrumentProtocol2, TypeSubscriberDirect, "Protocol Art. 7"},
	{InstrumentProtocol2, TypeProductionOrder, "Protocol Art. 8"},
	{InstrumentProtocol2, TypeDomainRegistration, "Protocol Art. 6"},

	{InstrumentUN2024, TypePreserve, "UN Art. 42"},
	{InstrumentUN2024, TypeTrafficPath, "UN Art. 43"},
	{InstrumentUN2024, TypeMLAFollowup, "UN Art. 42"},
	{InstrumentUN2024, TypeAssistance, "UN Art. 41"},
	{InstrumentUN2024, TypePing, "UN Art. 41 (network practice)"},

	{InstrumentEU, TypePreserve, "Reg. 2023/1543 Art. 6 (European Preservation Order)"},
	{InstrumentEU, TypeProductionOrder, "Reg. 2023/1543 Art. 5 (European Production Order)"},
	{InstrumentEU, TypeSubscriberDirect, "Reg. 2023/1543 Art. 5 (European Production Order, subscriber data)"},
	// An emergency case under the Regulation is a European Production
	// Order answered within 8 hours (Art. 3(18), 10(4)).
	// The certificates themselves (Annex I and II), as structured forms.
	{InstrumentEU, TypeEPOC, "Reg. 2023/1543 Art. 5 (European Production Order), EPOC (Annex I)"},
	{InstrumentEU, TypeEPOCPR, "Reg. 2023/1543 Art. 6 (European Preservation Order), EPOC-PR (Annex II)"},
	{InstrumentEU, TypeEmergencyDisclosure, "Reg. 2023/1543 Art. 10(4) (European Production Order, emergency case)"},

	{InstrumentG7, TypePreserve, "G7 24/7 network (informal preservation)"},
	{InstrumentG7, TypeAssistance, "G7 24/7 network"},
	{InstrumentG7, TypePing, "G7 24/7 network"},

	{InstrumentPractice, TypePing, "network practice"},
	{InstrumentPractice, TypeAssistance, "network practice"},
}

// ProvisionFor returns the provision of instrument in for type t.
func ProvisionFor(in Instrument, t Type) (Provision, bool) {
	for _, p := range Provisions {
		if p.Instrument == in && p.Type == t {
			return p, true
		}
	}
	return Provision{}, false
}
