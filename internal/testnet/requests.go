package testnet

import (
	"encoding/json"
	"fmt"
	"time"
)

// RequestDoc returns a request document that passes its checklist: a
// preserve or an emergency-disclosure request with id, from the party
// from to the party to, dated now. The rule book refuses request
// envelopes whose body is not such a document, so tests and benchmarks
// that move requests between nodes send these. Names are fictional.
func RequestDoc(typ, id, from, to string, now time.Time) []byte {
	at := now.UTC().Add(-time.Minute).Format(time.RFC3339)
	doc := map[string]any{
		"id": id, "type": typ, "sender_ref": "EX-" + id, "created_at": at,
		"requesting": map[string]any{"party": from, "name": "Example 24/7 Unit of " + from + " (fictional)",
			"office_hours": "24/7 duty line", "time_zone": "UTC"},
		"requested": map[string]any{"party": to, "name": "Example 24/7 Contact Point of " + to + " (fictional)"},
		"language":  "en",
		"handling":  map[string]any{"code": "H0"},
	}
	switch typ {
	case "preserve":
		doc["priority"] = "urgent"
		doc["legal_basis"] = map[string]any{"instrument": "budapest"}
		doc["preserve"] = map[string]any{
			"status": "new", "offence": "unauthorised access (Art. 2)",
			"facts":    "A company network was entered from abroad (fictional).",
			"data":     []any{map[string]any{"category": "traffic", "description": "connection logs of the account used"}},
			"relation": "the logs show who connected", "custodian": "Example Hosting (fictional)",
			"necessity": "logs are erased after 30 days", "mla_will_follow": true, "reply_channel": "node",
			"confirmation_contact": map[string]any{"name": "Alex Example", "phone": "+00 1 555 0100"},
		}
	case "emergency-disclosure":
		doc["priority"] = "emergency"
		doc["legal_basis"] = map[string]any{"instrument": "protocol2"}
		doc["emergency_disclosure"] = map[string]any{
			"issued_at": at, "protocol_statement": true,
			"provider": map[string]any{"name": "Example Mail (fictional)", "address": "1 Example Street, Example City"},
			"offence":  "kidnapping", "legal_provisions": "Criminal Code s. 100 (fictional)", "penalties": "up to 20 years",
			"emergency_facts": "a child is held and a ransom note was sent from this account an hour ago",
			"data_relation":   "the login IPs locate the sender",
			"data":            []any{map[string]any{"category": "traffic", "description": "login IP addresses, ports and times"}},
		}
	default:
		panic(fmt.Sprintf("testnet.RequestDoc: no document for type %q", typ))
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}
