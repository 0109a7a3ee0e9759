package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAttributeFromFile: a log file given on the attribution page is read
// as if pasted: its addresses are grouped by country with a draft for
// each country that has a route, and none for one that has not; an empty
// submission says what to paste.
func TestAttributeFromFile(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US", "IT", "GB")
	us := pn.signIn(t, "US")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("log", "access.log")
	fw.Write([]byte("79.20.0.1 - - [20/Nov/2026:14:02:07 +0000] \"GET / HTTP/1.1\" 200\n" +
		"79.20.0.2 - - [20/Nov/2026:14:02:09 +0000] \"GET / HTTP/1.1\" 200\n" +
		"121.16.109.40 - - [20/Nov/2026:14:03:00 +0000] \"GET / HTTP/1.1\" 200\n"))
	mw.WriteField("addresses", "81.2.69.142 2026-11-20T14:05:00Z")
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, pn.url("US", "/attribute"), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	us.Timeout = 2 * time.Minute // the first attribution opens the IP data (slow under -race)
	resp, err := us.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	page.ReadFrom(resp.Body)
	resp.Body.Close()
	out := page.String()
	if resp.StatusCode != http.StatusOK || !strings.Contains(out, "4 addresses in 3 countries") {
		t.Fatalf("attribution: %d %.300s", resp.StatusCode, out)
	}
	for _, want := range []string{`data-country="IT"`, `id="draft-IT"`, `id="draft-GB"`, `data-country="CN"`, "No route:", "Telecom Italia"} {
		if !strings.Contains(out, want) {
			t.Errorf("attribution lacks %s", want)
		}
	}
	if strings.Contains(out, `id="draft-CN"`) {
		t.Error("a draft is offered to a country with no route")
	}
	code, empty, _ := post(t, us, pn.url("US", "/attribute"), nil, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(empty, "Paste at least one IP address") {
		t.Errorf("empty attribution: %d", code)
	}
}
