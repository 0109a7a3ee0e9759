package web

import (
	"github.com/art35/art35/internal/cases"

	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
	"github.com/art35/art35/internal/stats"
	"github.com/art35/art35/internal/store"
	"github.com/art35/art35/internal/store/storetest"
	"github.com/art35/art35/internal/users"
	"github.com/art35/art35/internal/web/i18n"
)

// The missing-string tests: every message the portal asks for exists in
// English and French, with the same placeholders; and no template shows a
// person text that does not go through the catalogue.

// templateKeys are the literal keys the templates ask for: {{t "k"}},
// (t "k" ...), {{tn "k" n}} (whose forms are k.one and k.other).
var templateKey = regexp.MustCompile(`(?:\{\{-?|\(|\|)\s*(t|tn)\s+"([^"]+)"`)

func templateKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			if m[1] == "tn" {
				keys[m[2]+".one"], keys[m[2]+".other"] = p, p
			} else {
				keys[m[2]] = p
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// goKeys are the literal keys the package's Go code asks for: T(r, "k"),
// i18n.T(lang, "k"), i18n.N(lang, "k", n), i18n.Lookup(lang, "k").
func goKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "i18n" {
					name = "i18n." + fn.Sel.Name
				}
			}
			if name != "T" && name != "i18n.T" && name != "i18n.N" && name != "i18n.Lookup" && name != "tr" && name != "trn" {
				return true
			}
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			k, _ := strconv.Unquote(lit.Value)
			where := fset.Position(call.Pos()).String()
			if name == "i18n.N" || name == "trn" {
				keys[k+".one"], keys[k+".other"] = where, where
			} else {
				keys[k] = where
			}
			return true
		})
	}
	return keys
}

// dynamicKeys are the keys made from data (a role, a language): each
// value the data can take must have its words.
func dynamicKeys() map[string]string {
	keys := map[string]string{}
	for _, r := range []users.Role{users.Officer, users.Supervisor, users.Admin, users.Auditor} {
		keys["layout.role."+string(r)] = "roles"
	}
	for _, l := range i18n.Languages {
		keys["lang."+l] = "languages"
	}
	for _, w := range weekdays {
		keys["date.weekday."+w] = "weekdays"
	}
	for _, m := range months {
		keys["date.month."+m] = "months"
	}
	for k, v := range moreDynamicKeys() {
		keys[k] = v
	}
	return keys
}

// missingKeys is what the test reports: each key used but not defined in
// a language.
func missingKeys(c *i18n.Catalogue, used map[string]string) []string {
	var out []string
	for k, where := range used {
		for _, lang := range i18n.Languages {
			if !c.Has(lang, k) {
				out = append(out, lang+": "+k+" (used in "+where+")")
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestCatalogueHasEveryKeyUsed(t *testing.T) {
	t.Parallel()
	if err := i18n.Check(); err != nil {
		t.Fatal(err)
	}
	used := templateKeys(t)
	if len(used) < 20 {
		t.Fatalf("only %d keys found in the templates: the scan is broken", len(used))
	}
	for k, v := range goKeys(t) {
		used[k] = v
	}
	for k, v := range dynamicKeys() {
		used[k] = v
	}
	for _, m := range missingKeys(i18n.Std(), used) {
		t.Errorf("missing message %s", m)
	}
	// The check itself finds a key that is not there.
	if m := missingKeys(i18n.Std(), map[string]string{"layout.no-such-key": "test"}); len(m) != 2 {
		t.Errorf("a missing key is not reported: %v", m)
	}
}

// TestCataloguesMatch: French has every English key and no other, each
// with the same placeholders, and no text is empty.
func TestCataloguesMatch(t *testing.T) {
	t.Parallel()
	c := i18n.Std()
	en, fr := c.Keys("en"), c.Keys("fr")
	for _, k := range en {
		if !c.Has("fr", k) {
			t.Errorf("fr lacks %s", k)
		}
	}
	for _, k := range fr {
		if !c.Has("en", k) {
			t.Errorf("fr has %s, which en does not", k)
		}
	}
	for _, k := range en {
		e, _ := c.Text("en", k)
		f, ok := c.Text("fr", k)
		if e == "" || (ok && f == "") {
			t.Errorf("%s: empty text", k)
		}
		if ok && !slices.Equal(i18n.Placeholders(e), i18n.Placeholders(f)) {
			t.Errorf("%s: placeholders %v in en, %v in fr", k, i18n.Placeholders(e), i18n.Placeholders(f))
		}
	}
}

// notYetConverted are templates whose words are still written in them
// (being moved to the catalogue); the scan skips them.
var notYetConverted = map[string]bool{}

var (
	tmplAction   = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	htmlComment  = regexp.MustCompile(`(?s)<!--.*?-->`)
	scriptOrCSS  = regexp.MustCompile(`(?is)<(script|style|code)\b[^>]*>.*?</(script|style|code)>`)
	htmlTag      = regexp.MustCompile(`(?s)<[^>]*>`)
	shownAttr    = regexp.MustCompile(`(?i)\s(title|aria-label|placeholder|alt|aria-description|aria-roledescription|data-label)\s*=\s*"([^"]*)"`)
	valueAttr    = regexp.MustCompile(`(?i)\svalue\s*=\s*"([^"]*)"`)
	buttonLike   = regexp.MustCompile(`(?i)^<(button\b|input\b[^>]*type\s*=\s*"(submit|button|reset)")`)
	letters      = regexp.MustCompile(`\p{L}{2,}`)
	notLanguage  = regexp.MustCompile(`art35|DB-IP|\bhtmx\b|\bAS\b|\bJSON\b`)
	placeholderT = "\x00"
)

// untranslated returns the text a person would see that is written in the
// template rather than asked of the catalogue: text between tags and the
// attributes that are read out or shown (title, aria-label, placeholder,
// alt, data-label, and the value of a button). Commands in <code> and names
// like art35, DB-IP, JSON and the AS of an AS number are not language.
func untranslated(src string) []string {
	src = strings.ReplaceAll(src, "{{/*", "{{") // comments are actions too
	src = tmplAction.ReplaceAllString(src, placeholderT)
	src = htmlComment.ReplaceAllString(src, "")
	src = scriptOrCSS.ReplaceAllString(src, "")
	var out []string
	for _, tag := range htmlTag.FindAllString(src, -1) {
		for _, m := range shownAttr.FindAllStringSubmatch(tag, -1) {
			if v := notLanguage.ReplaceAllString(m[2], ""); letters.MatchString(v) {
				out = append(out, m[1]+`="`+m[2]+`"`)
			}
		}
		if buttonLike.MatchString(tag) {
			if m := valueAttr.FindStringSubmatch(tag); m != nil && letters.MatchString(notLanguage.ReplaceAllString(m[1], "")) {
				out = append(out, `value="`+m[1]+`"`)
			}
		}
	}
	for _, text := range htmlTag.Split(src, -1) {
		if v := notLanguage.ReplaceAllString(text, ""); letters.MatchString(v) {
			out = append(out, strings.TrimSpace(strings.ReplaceAll(text, placeholderT, "{{…}}")))
		}
	}
	return out
}

func TestTemplatesHaveNoLooseText(t *testing.T) {
	t.Parallel()
	// The scan finds what it must.
	for src, want := range map[string]int{
		`<p>Hello {{.Name}}</p>`:                     1,
		`<p>{{t "x.y"}}</p>`:                         0,
		`<button title="Close">{{t "x.y"}}</button>`: 1,
		`<input type="submit" value="Send">`:         1,
		`<input name="q" value="{{.Q}}">`:            0,
		`<img src="a.png" alt="logo">`:               1,
		`<span aria-label="{{t "x.y"}}">✔</span>`:    0,
		`<b>art35 {{.Party}} 24/7</b>`:               0,
	} {
		if got := untranslated(src); len(got) != want {
			t.Errorf("scan of %s: %q, want %d finds", src, got, want)
		}
	}
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if notYetConverted[e.Name()] {
			continue
		}
		b, _ := fs.ReadFile(templateFS, "templates/"+e.Name())
		for _, s := range untranslated(string(b)) {
			t.Errorf("%s shows text outside the catalogue: %q (write it as {{t \"page.key\"}} and add the key to i18n/en and i18n/fr)", e.Name(), s)
		}
	}
}

// TestLanguageChosen: the sign-in page follows Accept-Language; a signed-in
// officer's choice on the profile page wins over the browser, is stored
// (both engines, TestProfileLanguageStore), and "" goes back to the browser.
func TestLanguageChosen(t *testing.T) {
	t.Parallel()
	pn := startPortalNet(t, "US")
	for hdr, want := range map[string]string{"": "en", "fr-CA,fr;q=0.9,en;q=0.5": "fr", "de-DE,de": "en", "en-GB,fr;q=0.3": "en"} {
		req, _ := http.NewRequest(http.MethodGet, pn.url("US", "/signin"), nil)
		req.Header.Set("Accept-Language", hdr)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 4096)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		page := string(b[:n])
		if !strings.Contains(page, `<html lang="`+want+`">`) || !strings.Contains(page, i18n.T(want, "signin.submit")) {
			t.Errorf("Accept-Language %q: want %s, page %.300s", hdr, want, page)
		}
	}
	c := pn.signIn(t, "US")
	_, page, _ := get(t, c, pn.url("US", "/profile"))
	if !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, ">Your profile<") {
		t.Fatalf("profile in English without a choice: %.400s", page)
	}
	if status, _, hdr := post(t, c, pn.url("US", "/profile"), url.Values{"phone": {"+00 1 555 0100"}, "language": {"fr"}}, map[string]string{"Origin": pn.url("US", "")}); status != http.StatusSeeOther {
		t.Fatalf("save language: %d %v", status, hdr)
	}
	_, page, _ = get(t, c, pn.url("US", "/profile"))
	if !strings.Contains(page, `<html lang="fr">`) || !strings.Contains(page, ">Votre profil<") || !strings.Contains(page, `<option value="fr" lang="fr" selected>`) {
		t.Fatalf("profile after choosing French: %.600s", page)
	}
	// Other pages, errors and the portal's own messages follow the choice.
	for path, want := range map[string]string{"/inbox": ">Boîte de réception<", "/requests/US-2026-999999": "existe pas de demande",
		"/directory": "Point de contact 24/7", "/compose": "Demande de conservation"} {
		if _, page, _ := get(t, c, pn.url("US", path)); !strings.Contains(page, want) || !strings.Contains(page, `<html lang="fr">`) {
			t.Errorf("%s in French lacks %q: %.300s", path, want, page)
		}
	}
	status, page, _ := post(t, c, pn.url("US", "/profile"), url.Values{"phone": {"555-0100"}, "language": {"fr"}}, map[string]string{"Origin": pn.url("US", "")})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "format international") {
		t.Errorf("bad phone in French: %d %.300s", status, page)
	}
	status, page, _ = post(t, c, pn.url("US", "/profile"), url.Values{"language": {"de"}}, map[string]string{"Origin": pn.url("US", "")})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "langue") {
		t.Errorf("unknown language: %d %.300s", status, page)
	}
	// Back to the browser's language.
	post(t, c, pn.url("US", "/profile"), url.Values{"language": {""}}, map[string]string{"Origin": pn.url("US", "")})
	if _, page, _ := get(t, c, pn.url("US", "/inbox")); !strings.Contains(page, `<html lang="en">`) {
		t.Errorf("empty language does not follow the browser (English): %.200s", page)
	}
}

// TestProfileLanguageStore: the language is stored with the profile on
// both engines, and one the portal does not speak is refused.
func TestProfileLanguageStore(t *testing.T) {
	t.Parallel()
	storetest.ForEachBackendParallel(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := withOfficer(t, db)
		now := store.FormatTime(clk.Now())
		if err := saveProfile(ctx, db, "a.rossi", profile{Language: "fr"}, now); err != nil {
			t.Fatal(err)
		}
		if p, err := loadProfile(ctx, db, "a.rossi"); err != nil || p.Language != "fr" {
			t.Fatalf("stored language: %+v %v", p, err)
		}
		if err := saveProfile(ctx, db, "a.rossi", profile{Language: "xx"}, now); err == nil {
			t.Error("language xx accepted")
		}
		if p, _ := loadProfile(ctx, db, "a.rossi"); p.Language != "fr" {
			t.Errorf("a refused language changed the stored one: %+v", p)
		}
	})
}

// TestDatesInFrench: day and month names come from the catalogue.
func TestDatesInFrench(t *testing.T) {
	t.Parallel()
	d := time.Date(2026, 12, 3, 14, 5, 0, 0, time.UTC)
	if got := formatDate("fr", "date.day", d); got != "jeu. 3 déc. 2026" {
		t.Errorf("fr day: %q", got)
	}
	if got := formatDate("en", "date.day", d); got != "Thu 3 Dec 2026" {
		t.Errorf("en day: %q", got)
	}
	if got := formatDate("fr", "date.stamp", d); got != "03/12/2026 14:05 UTC" {
		t.Errorf("fr stamp: %q", got)
	}
}

// moreDynamicKeys are the words of the request format's slugs (states,
// types, clocks, codes, ...) and of the directory's, each of which must have
// its message: the words are looked up by slug at run time.
func moreDynamicKeys() map[string]string {
	keys := map[string]string{}
	add := func(where string, ks ...string) {
		for _, k := range ks {
			keys[k] = where
		}
	}
	for _, t := range request.Types {
		add("request.Types", "type."+string(t))
	}
	for _, st := range request.States {
		add("request.States", "state."+string(st))
		if st != request.StateDraft {
			add("request.States (timeline)", "event."+string(st))
		}
	}
	for _, tr := range request.Transitions {
		add("request.Transitions", "meaning."+string(tr.From)+"."+string(tr.To), "verb."+string(tr.To))
	}
	for st := range consequential {
		add("consequential", "consequence."+string(st))
	}
	for c := range request.AnswerCodes {
		add("request.AnswerCodes", "code."+string(c))
	}
	for _, p := range []request.Priority{request.PriorityEmergency, request.PriorityUrgent, request.PriorityRoutine} {
		add("priorities", "priority."+string(p), "compose.priority."+string(p), "words.ack-rule."+string(p))
	}
	for _, c := range []string{request.ClockAck, request.ClockPreservation, request.ClockArt7, request.ClockArt8Serve, request.ClockArt8Data,
		request.ClockEUProduction, request.ClockEUEmergency, request.ClockDomestic, request.ClockInterception} {
		add("clocks", "clock."+c)
	}
	for _, d := range []string{request.DeadlinePending, request.DeadlineMet, request.DeadlineMissed, request.DeadlineSuspended} {
		add("deadline states", "deadline."+d)
	}
	for _, n := range []string{request.NoteEscalated, request.NoteNegativeAck, request.NoteReminder, request.NoteExtended, request.NoteServed,
		request.NoteMLAReceived, request.NoteMLADecided, request.NoteLapsed, request.NoteRenewed, request.NoteNotified, request.NoteDisclosureStopped, "refused-step",
		cases.KindRefusedByPeer, cases.KindCountersigned, cases.KindCallback, cases.KindSignerRevoked, cases.KindIncident,
		cases.KindTransferRequest, cases.KindTransferGranted, cases.KindConditionsAccepted, cases.KindUsageQuery, cases.KindUsageReport} {
		add("notes", "note."+n)
	}
	for _, a := range []request.Actor{request.BySender, request.ByReceiver, request.BySystem, request.ByNotified} {
		add("actors", "actor."+string(a))
	}
	for _, rel := range []string{request.RelExtends, request.RelFollowsUp, request.RelTrafficPath, request.RelAnswers, request.RelRelated} {
		add("relations", "rel."+rel)
	}
	for _, h := range []string{"H0", "H1", "H2", "H3"} {
		add("handling codes", "handling."+h)
	}
	for _, st := range []directory.Status{directory.StatusUnknown, directory.StatusNone, directory.StatusInvited, directory.StatusSignatory, directory.StatusParty} {
		add("directory statuses", "inststatus."+string(st))
	}
	for _, k := range []directory.ReservationKind{directory.DualCriminality, directory.NoEmergencySubscriberOnly, directory.NotificationRequired, directory.CentralAuthorityOnly} {
		add("reservations", "reservation."+string(k))
	}
	for _, r := range []directory.Role{directory.RolePointOfContact, directory.RoleCentralAuthority, directory.RoleExtradition, directory.RoleNotification,
		directory.RoleSending, directory.RoleReceiving, directory.RoleConsultation, directory.RoleProvider} {
		add("authority roles", "authrole."+string(r))
	}
	for _, r := range []directory.PersonRole{directory.Primary, directory.Backup, directory.Supervisor} {
		add("roster roles", "words.duty."+string(r))
	}
	for _, d := range []string{"on", "off", "hours-unknown", "unknown", "no-poc"} {
		add("dutyOf", "duty."+d)
	}
	for _, d := range []stats.Dimension{stats.ByCountry, stats.ByType, stats.ByPriority, stats.ByOffence} {
		add("stats dimensions", "stats.by."+string(d))
	}
	for _, d := range []string{stats.Sent, stats.Received} {
		add("stats directions", "stats.dir-"+d, "stats.requests-"+d)
	}
	for k := range auditKinds {
		add("auditKinds", "auditkind."+k)
	}
	for _, rc := range []route.Recipient{route.PointOfContact, route.CentralAuthority, route.Provider, route.Registrar} {
		add("route recipients", "recipient."+string(rc))
	}
	for id := range request.Rules {
		add("request.Rules", "rule."+id)
	}
	for _, p := range sourcePatterns {
		add("sourcePatterns", "source."+p.key)
	}
	for _, e := range []string{"identifier", "data", "other"} {
		add("elementKind", "compose.element."+e)
	}
	// Every field, option and doc text of every compose form.
	for _, t := range request.Types {
		fields, err := FormFields(t)
		if err != nil {
			panic(err)
		}
		for _, f := range fields {
			generic := listIndex.ReplaceAllString(f.Path, "")
			name := generic[strings.LastIndexByte(generic, '.')+1:]
			if f.Kind != "hidden" && !i18n.Std().Has("en", "path."+f.Path) {
				add("form of "+string(t), "field."+name)
			}
			if f.Doc != "" && !i18n.Std().Has("en", "hint."+f.Path) && !i18n.Std().Has("en", "hint."+name) {
				add("form of "+string(t), "doc."+generic)
			}
			if f.Kind == "select" && !strings.HasSuffix(f.Path, "instrument") && f.Path != "priority" && !strings.HasSuffix(f.Path, "handling.code") {
				for _, o := range f.Options {
					add("options of "+f.Path, "enum."+o)
				}
			}
			if strings.HasSuffix(f.Path, "instrument") {
				for _, o := range f.Options {
					add("options of "+f.Path, "instrument."+o)
				}
			}
		}
	}
	return keys
}

// TestClockSourcesInFrench: the legal source of a clock, as package request
// writes it for a preserved request, is said in French; one no pattern
// knows stays as it is.
func TestClockSourcesInFrench(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 2, 30, 0, 0, time.UTC)
	req := &request.Request{ID: "US-2026-000101", Type: request.TypePreserve, Priority: request.PriorityUrgent,
		Requested: request.Authority{Party: "IT"}, LegalBasis: request.LegalBasis{Instrument: request.InstrumentBudapest}}
	l := request.NewLifecycle(req)
	for _, st := range []request.Step{{To: request.StateSent, As: request.BySender}, {To: request.StateDelivered, As: request.BySystem},
		{To: request.StateAcknowledged, As: request.ByReceiver}, {To: request.StateInProgress, As: request.ByReceiver},
		{To: request.StatePreserved, As: request.ByReceiver, ProviderRef: "EXH-1", Until: now.AddDate(0, 0, 90)}} {
		st.At, st.By = now, "Giulia Esempio"
		if _, err := l.Apply(st, nil); err != nil {
			t.Fatal(err)
		}
	}
	agenda := request.Due(request.Facts{Request: req, Lifecycle: l, Zone: time.UTC}, request.DefaultPolicy(), now)
	found := false
	for _, d := range agenda.Deadlines {
		got := clockSource("fr", d, req.Priority)
		if d.Clock == request.ClockPreservation {
			found = true
			if got != "la date de fin indiquée par la Partie requise" {
				t.Errorf("preservation source %q in French: %q", d.Source, got)
			}
		}
		if d.Clock == request.ClockAck && !strings.Contains(got, "accuse réception d'une demande urgente dans un délai de 2 heures") {
			t.Errorf("acknowledgement source in French: %q", got)
		}
	}
	if !found {
		t.Fatalf("no preservation clock in %+v", agenda.Deadlines)
	}
	if got := clockSource("fr", request.Deadline{Clock: "other", Source: "something new"}, req.Priority); got != "something new" {
		t.Errorf("unknown source: %q", got)
	}
}

// TestRuleWordsFollowTheChecklist: rule.txt in English says exactly what
// request.Rules says, so a changed or added rule fails here until its
// words (in both languages) are brought up to date; and a French problem
// keeps what was found after the rule's words.
func TestRuleWordsFollowTheChecklist(t *testing.T) {
	t.Parallel()
	for id, rule := range request.Rules {
		if got, _ := i18n.Std().Text("en", "rule."+id); got != rule.Message() {
			t.Errorf("i18n/en/rule.txt rule.%s = %q; request.Rules says %q: update it and i18n/fr/rule.txt", id, got, rule.Message())
		}
	}
	p := request.Problem{Rule: "ip-time", Message: request.Rules["ip-time"].Message() + " (121.16.109.40)"}
	if got := problemText("fr", p); got != "Règle du réseau : une adresse IP est inutilisable sans l'heure UTC à la seconde près (121.16.109.40)" {
		t.Errorf("French problem: %q", got)
	}
	if got := problemText("en", p); got != "network rule: an IP address is useless without the UTC time to the second (121.16.109.40)" {
		t.Errorf("English problem: %q", got)
	}
}
