package request

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// euDoc returns a certificate fixture with changes applied to its JSON
// form (set paths like "epoc.section_g.threshold").
func euDoc(t testing.TB, typ Type, set map[string]any) []byte {
	t.Helper()
	doc := decodeMap(t, readFixture(t, typ))
	for path, v := range set {
		parts := strings.Split(path, ".")
		m := doc
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		if v == nil {
			delete(m, parts[len(parts)-1])
		} else {
			m[parts[len(parts)-1]] = v
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var contentItem = []any{map[string]any{"category": "content", "description": "stored messages",
	"identifiers": []any{map[string]any{"kind": "account", "value": "user-4711"}}}}

// TestEUCertificateChecks: each rule of the two certificates refuses what
// it must, naming the field, the rule and (in its message) the fix.
func TestEUCertificateChecks(t *testing.T) {
	t.Parallel()
	other := map[string]any{"kind": "other", "name": "Example Police (fictional)", "representative": "Alex Exemple",
		"address": "1 rue Exemple", "phone": "+00 33 555 0101", "signed_at": "2026-11-24T09:00:00Z"}
	tests := []struct {
		name        string
		typ         Type
		set         map[string]any
		field, rule string
		fix         string // a word of the fix the message must carry
	}{
		{"issuing state is not the requesting party", TypeEPOC, map[string]any{"epoc.section_a.issuing_state": "IT"}, "epoc.section_a.issuing_state", "eu-a-state", "requesting party"},
		{"addressee in another state", TypeEPOC, map[string]any{"epoc.section_b.country": "AT"}, "epoc.section_b.country", "eu-b-country", "requested party"},
		{"content data for any offence", TypeEPOC, map[string]any{"epoc.section_f.items": contentItem, "epoc.section_i.kind": "judge", "epoc.section_e.notified": true, "epoc.section_e.enforcing_state": "DE"}, "epoc.section_g.threshold", "eu-5-4", "3 years"},
		{"content data not notified", TypeEPOC, map[string]any{"epoc.section_f.items": contentItem, "epoc.section_i.kind": "judge", "epoc.section_g.threshold": "3-years"}, "epoc.section_e.notified", "eu-8-notify", "notified to true"},
		{"notified to the wrong state", TypeEPOC, map[string]any{"epoc.section_e.notified": true, "epoc.section_e.enforcing_state": "IT"}, "epoc.section_e.enforcing_state", "eu-8-state", "member state of the addressee"},
		{"content data issued by a prosecutor alone", TypeEPOC, map[string]any{"epoc.section_f.items": contentItem, "epoc.section_g.threshold": "3-years", "epoc.section_e.notified": true, "epoc.section_e.enforcing_state": "DE"}, "epoc.section_j", "eu-4-2-judge", "validated by"},
		{"other authority without validation", TypeEPOC, map[string]any{"epoc.section_i": other}, "epoc.section_j", "eu-4-validation", "validating authority"},
		{"emergency without grounds", TypeEPOC, map[string]any{"epoc.section_c.emergency": true, "priority": "emergency"}, "epoc.section_c.emergency_grounds", "eu-c-grounds", "facts"},
		{"emergency with routine priority", TypeEPOC, map[string]any{"epoc.section_c.emergency": true, "epoc.section_c.emergency_grounds": "a child is missing"}, "priority", "eu-c-grounds", "priority emergency"},
		{"other establishment outside an emergency", TypeEPOC, map[string]any{"epoc.section_b.kind": "other-establishment"}, "epoc.section_b.emergency_reason", "eu-b-emergency", "emergency"},
		{"no validation outside an emergency", TypeEPOC, map[string]any{"epoc.section_i.emergency_without_validation": true}, "epoc.section_i.emergency_without_validation", "eu-4-5-emergency", "emergency"},
		{"IP without its time", TypeEPOC, map[string]any{"epoc.section_f.items": []any{map[string]any{"category": "identification", "description": "who used it",
			"identifiers": []any{map[string]any{"kind": "ip", "value": "203.0.113.7", "port": 4711}}}}}, "epoc.section_f.items[0].identifiers[0].time", "ip-time", "UTC time"},
		{"data category unknown", TypeEPOC, map[string]any{"epoc.section_f.items": []any{map[string]any{"category": "metadata", "description": "x",
			"identifiers": []any{map[string]any{"kind": "account", "value": "a"}}}}}, "epoc.section_f.items[0].category", "enum", "subscriber, identification, traffic, content"},
		{"issuer's e-mail", TypeEPOC, map[string]any{"epoc.section_i.email": "prosecutor at example.org"}, "epoc.section_i.email", "email-syntax", "local@domain"},
		{"section missing", TypeEPOC, map[string]any{"epoc.section_l": nil}, "epoc.section_l", "eu-i-l", "transferred"},
		{"preservation for a 3-year threshold label", TypeEPOCPR, map[string]any{"epoc_pr.section_d.threshold": "3-years"}, "epoc_pr.section_d.threshold", "eu-6-2", "any-offence or custodial-sentence"},
		{"EPOC-PR by other authority unvalidated", TypeEPOCPR, map[string]any{"epoc_pr.section_f": other}, "epoc_pr.section_g", "eu-4-validation", "validating authority"},
		{"EPOC-PR under the Convention", TypeEPOCPR, map[string]any{"legal_basis.instrument": "budapest"}, "legal_basis.instrument", "basis-for-type", "eu-2023-1543"},
		{"EPOC-PR addressee missing", TypeEPOCPR, map[string]any{"epoc_pr.section_b.name": ""}, "epoc_pr.section_b.name", "eu-b-name", "name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := Check(euDoc(t, tc.typ, tc.set), testNow)
			for _, p := range errorsOf(ps) {
				if p.Field == tc.field && p.Rule == tc.rule {
					if !strings.Contains(p.Message, tc.fix) || !strings.Contains(p.Message, Rules[tc.rule].Source) {
						t.Errorf("message %q lacks the fix %q or the source", p.Message, tc.fix)
					}
					return
				}
			}
			t.Errorf("no error %s [%s]; got %v", tc.field, tc.rule, ps)
		})
	}
}

// TestEUCertificateValidVariants: the lawful combinations pass (a judge
// ordering content data with notification; a prosecutor's order validated
// by a judge; an emergency with its grounds).
func TestEUCertificateValidVariants(t *testing.T) {
	t.Parallel()
	judge := map[string]any{"kind": "investigating-judge", "name": "Example Court (fictional)", "representative": "Dominique Exemple",
		"address": "2 rue Exemple", "phone": "+00 33 555 0102", "signed_at": "2026-11-24T09:30:00Z"}
	for name, set := range map[string]map[string]any{
		"judge, content, notified": {"epoc.section_f.items": contentItem, "epoc.section_i.kind": "judge", "epoc.section_g.threshold": "listed-offence",
			"epoc.section_e.notified": true, "epoc.section_e.enforcing_state": "DE"},
		"prosecutor validated by a judge": {"epoc.section_f.items": contentItem, "epoc.section_g.threshold": "3-years", "epoc.section_j": judge,
			"epoc.section_e.notified": true, "epoc.section_e.enforcing_state": "DE"},
		"content, Art. 8(2) no notification": {"epoc.section_f.items": contentItem, "epoc.section_i.kind": "court", "epoc.section_g.threshold": "3-years",
			"epoc.section_e.issuing_state_only": true},
		"emergency": {"epoc.section_c.emergency": true, "epoc.section_c.emergency_grounds": "a threat to life reported at 08:00", "priority": "emergency"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, ps := Check(euDoc(t, TypeEPOC, set), testNow); HasErrors(ps) {
				t.Errorf("a lawful certificate is refused: %v", ps)
			}
		})
	}
}

// TestEUCertificatePrinted: the printed certificate carries its Annex's
// title and every section that is filled in, in English and French.
func TestEUCertificatePrinted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ      Type
		lang     string
		want     []string
		sections []string
	}{
		{TypeEPOC, "en", []string{"European Production Order Certificate (EPOC), Annex I", "Articles 5 and 9 of Regulation (EU) 2023/1543"},
			[]string{"Section A: issuing and validating authority", "Section B: addressee", "Section C: deadlines", "Section E: notification", "Section F: data to be produced", "Section G: conditions", "Section I: details of the issuing authority", "Section L: transfer of the data"}},
		{TypeEPOCPR, "en", []string{"European Preservation Order Certificate (EPOC-PR), Annex II", "Articles 6 and 11"},
			[]string{"Section A:", "Section B: addressee", "Section C: data to be preserved", "Section D: the offence", "Section F: details of the issuing authority"}},
		{TypeEPOCPR, "fr", []string{"Certificat d&#39;injonction européenne de conservation (EPOC-PR)", "Articles 6 et 11 du règlement"}, []string{"Section C : données à conserver", "Section D : l&#39;infraction"}},
	} {
		t.Run(string(tc.typ)+"/"+tc.lang, func(t *testing.T) {
			r := loadFixture(t, tc.typ)
			var b bytes.Buffer
			if err := RenderLetter(&b, r, LetterOptions{Now: testNow, Language: tc.lang}); err != nil {
				t.Fatal(err)
			}
			for _, want := range append(tc.want, tc.sections...) {
				if !strings.Contains(b.String(), want) {
					t.Errorf("certificate lacks %q", want)
				}
			}
		})
	}
}

// TestEUCertificateClocks: an EPOC is answered within 10 days of receipt,
// an emergency EPOC within 8 hours; an EPOC-PR keeps the data 60 days
// from execution, 90 with the Annex VI extension.
func TestEUCertificateClocks(t *testing.T) {
	t.Parallel()
	epoc := loadFixture(t, TypeEPOC)
	l := lc(t, TypeEPOC, t0, StateSent, time.Duration(0), StateDelivered, time.Hour)
	d := deadline(t, Due(Facts{Request: epoc, Lifecycle: l}, DefaultPolicy(), t0.Add(2*day)), ClockEUProduction)
	if want := t0.Add(time.Hour + 10*day); !d.Due.Equal(want) || d.Status != DeadlinePending {
		t.Errorf("EPOC due %v %s, want %v pending", d.Due, d.Status, want)
	}
	yes := true
	epoc.EPOC.C.Emergency, epoc.Priority = &yes, PriorityEmergency
	d = deadline(t, Due(Facts{Request: epoc, Lifecycle: l}, DefaultPolicy(), t0.Add(10*time.Hour)), ClockEUEmergency)
	if want := t0.Add(9 * time.Hour); !d.Due.Equal(want) || d.Status != DeadlineMissed {
		t.Errorf("emergency EPOC due %v %s, want %v missed", d.Due, d.Status, want)
	}

	pr := loadFixture(t, TypeEPOCPR)
	for _, tc := range []struct {
		extra []any
		due   time.Duration
	}{{nil, 60 * day}, {[]any{NoteExtended, 50 * day}, 90 * day}} {
		l := lc(t, TypeEPOCPR, t0, append(preservedSteps(), tc.extra...)...)
		d := deadline(t, Due(Facts{Request: pr, Lifecycle: l}, DefaultPolicy(), t0.Add(10*day)), ClockPreservation)
		if !d.Due.Equal(t0.Add(tc.due)) || !strings.Contains(d.Source, "2023/1543 Art. 11") {
			t.Errorf("EPOC-PR with %v: due %v (%s), want %v", tc.extra, d.Due, d.Source, t0.Add(tc.due))
		}
	}
}

// FuzzCheckEUCertificate: any document of the certificates' shape is
// decoded and checked without a panic, and every problem names its rule.
func FuzzCheckEUCertificate(f *testing.F) {
	f.Add(readFixture(f, TypeEPOC))
	f.Add(readFixture(f, TypeEPOCPR))
	f.Add(euDoc(f, TypeEPOC, map[string]any{"epoc.section_f.items": contentItem, "epoc.section_j": map[string]any{"kind": "judge"}, "epoc.section_c.emergency": true}))
	f.Add([]byte(`{"type":"epoc","epoc":{"section_c":{"emergency":null},"section_e":{"notified":true}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, ps := Check(data, testNow)
		for _, p := range ps {
			if _, ok := Rules[p.Rule]; !ok {
				t.Fatalf("problem with an unknown rule: %v", p)
			}
		}
	})
}
