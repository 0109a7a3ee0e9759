package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/ping"
	"github.com/art35/art35/internal/stats/statstest"
)

// TestPingsPage: the demo tells officers to answer pings "in each
// portal"; /pings lists the pending one with its countdown, and the
// officer's answer reaches the sender, signed with the officer's name.
func TestPingsPage(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US", "IT")
	ctx := context.Background()
	it := pn.signIn(t, "IT")
	code, body, _ := get(t, it, pn.url("IT", "/pings"))
	if code != http.StatusOK || !strings.Contains(body, `id="no-pending"`) {
		t.Fatalf("empty pings page: %d", code)
	}
	us := statstest.PingService(pn.Node("US"))
	camp, err := us.StartCampaign(ctx, ping.CampaignOptions{To: []string{"IT"}, Window: 30 * time.Minute, By: pn.names["US"]})
	if err != nil || len(camp.Pings) != 1 {
		t.Fatalf("campaign: %v %+v", err, camp)
	}
	id := camp.Pings[0].ID
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, body, _ = get(t, it, pn.url("IT", "/pings"))
		if strings.Contains(body, `id="answer-`+id+`"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ping %s never listed on IT: %.500s", id, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !regexp.MustCompile(`class="countdown" data-due="[^"]+">in (29|30)m`).MatchString(body) || !strings.Contains(body, "<title>Pings (1 waiting)") {
		t.Error("the pending ping has no countdown, or the title does not count it")
	}
	// Every page's navigation says a ping is waiting.
	if _, inbox, _ := get(t, it, pn.url("IT", "/inbox")); !strings.Contains(inbox, `<span class="badge" id="pings-waiting">1 waiting</span>`) {
		t.Error("the navigation does not say a ping is waiting")
	}
	code, _, h := post(t, it, pn.url("IT", "/pings/"+id+"/answer"), nil, nil)
	if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "answered=") {
		t.Fatalf("answer: %d %q", code, h.Get("Location"))
	}
	_, body, _ = get(t, it, pn.url("IT", "/pings"))
	if !strings.Contains(body, "Answered by "+pn.names["IT"]) || strings.Contains(body, `id="answer-`+id+`"`) {
		t.Error("the answered ping is not shown as answered")
	}
	// A second answer is refused in words.
	_, _, h = post(t, it, pn.url("IT", "/pings/"+id+"/answer"), nil, nil)
	if !strings.Contains(h.Get("Location"), "error=") {
		t.Errorf("second answer: %q", h.Get("Location"))
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		rs, err := us.Results(ctx, ping.Filter{Campaign: camp.ID})
		if err == nil && len(rs) == 1 && rs[0].Passed() && rs[0].AnsweredBy == pn.names["IT"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("US never saw the answer: %+v %v", rs, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
