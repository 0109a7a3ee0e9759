package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestComposeForOfficers: the compose form has human labels and hints, the
// officer's defaults, date-times in the officer's zone; one check reports
// every problem at once, in a summary at the top linked to the fields,
// and refuses a phone number that is not in international form.
func TestComposeForOfficers(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US", "IT")
	us := pn.signIn(t, "US")
	u, _ := url.Parse(pn.url("US", "/"))
	us.Jar.SetCookies(u, []*http.Cookie{{Name: ZoneCookie, Value: "Europe/Rome", Path: "/"}})
	code, form, _ := get(t, us, pn.url("US", "/compose/preserve"))
	if code != http.StatusOK {
		t.Fatalf("compose: %d", code)
	}
	for _, want := range []string{
		`<label for="f-preserve-mla_will_follow">A formal MLA request will follow`,
		`id="f-preserve-mla_will_follow" name="preserve.mla_will_follow" type="checkbox" value="true" checked`,
		`name="preserve.confirmation_contact.name" type="text" value="` + pn.names["US"] + `"`,
		`id="f-preserve-data-0-identifiers-0-time" name="preserve.data[0].identifiers[0].time" type="datetime-local"`,
		`<span class="zone">Europe/Rome</span>`,
		`<option value="urgent" selected>Urgent (acknowledged within 2 hours)</option>`,
	} {
		if !strings.Contains(form, want) {
			t.Errorf("compose form lacks %s", want)
		}
	}
	for _, bad := range []string{"preserve.mla_will_follow</small>", "Mla will follow", "RFC 3339"} {
		if strings.Contains(form, bad) {
			t.Errorf("compose form shows %q", bad)
		}
	}

	// Four problems of three kinds in one go: a bad number, a phone not in
	// international form, two missing fields.
	v := composeValues(t, us, pn.url("US", "/compose/preserve"), preserveForm)
	v.Del("preserve.custodian")
	v.Del("preserve.offence")
	v.Set("preserve.data[0].identifiers[0].port", "51a34")
	v.Set("preserve.confirmation_contact.phone", "555-0100")
	v.Set("preserve.data[0].identifiers[0].time", "2026-11-20T15:02:07") // Rome
	code, body, _ := post(t, us, pn.url("US", "/compose/preserve"), v, nil)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("check: %d", code)
	}
	sum := regexp.MustCompile(`(?s)<div class="error-summary" role="alert" tabindex="-1" id="error-summary" data-focus.*?</div>`).FindString(body)
	for _, want := range []string{`4 things need fixing`, `href="#f-preserve-custodian"`, `href="#f-preserve-offence"`,
		`href="#f-preserve-data-0-identifiers-0-port"`, `href="#f-preserve-confirmation_contact-phone"`, "international form"} {
		if !strings.Contains(sum, want) {
			t.Errorf("the summary lacks %s:\n%s", want, sum)
		}
	}
	// What was typed stays, the time in the officer's zone.
	if !strings.Contains(body, `value="555-0100"`) || !strings.Contains(body, `value="2026-11-20T15:02:07"`) {
		t.Error("typed values are not kept after the check")
	}

	// Fixed: the preview's document has the time in UTC.
	v.Set("preserve.custodian", "Example Hosting (fictional), Milan")
	v.Set("preserve.offence", "unauthorised access (Art. 2)")
	v.Set("preserve.data[0].identifiers[0].port", "51234")
	v.Set("preserve.confirmation_contact.phone", "+00 1 555 0100")
	code, body, _ = post(t, us, pn.url("US", "/compose/preserve"), v, nil)
	if code != http.StatusOK || !strings.Contains(body, `id="confirm"`) {
		t.Fatalf("preview: %d", code)
	}
	if !strings.Contains(htmlUnescape(body), `"time": "2026-11-20T14:02:07Z"`) {
		t.Error("the time entered in Rome is not sent as 14:02:07 UTC")
	}
}

func TestE164(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"+00 1 555 0100", "+39 06 1234 5678", "+441234567890"} {
		if !e164.MatchString(p) {
			t.Errorf("%s refused", p)
		}
	}
	for _, p := range []string{"555-0100", "0039 06 1234", "+1", "+39 06 1234 5678 9999 11", "+39-06-1234"} {
		if e164.MatchString(p) {
			t.Errorf("%s accepted", p)
		}
	}
}
