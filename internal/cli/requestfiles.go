package cli

import (
	"io"
	"slices"
	"strings"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/cases"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/request"
	"github.com/art35/art35/internal/route"
)

// RequestFiles reads the request documents (and files of evidences) named
// on a command line, - for stdin, and checks them at Now.
type RequestFiles struct {
	Stdin io.Reader
	Now   time.Time
}

// Read reads a request document (or a file of evidences).
func (f RequestFiles) Read(name string) ([]byte, error) {
	return ReadArg(f.Stdin, name, request.MaxDocument+1)
}

// Check reads and validates a document and adds, as warnings, what the
// shipped directory says (route.CheckDocument). The request is nil when
// the document cannot be read as one at all.
func (f RequestFiles) Check(name string) (*request.Request, []request.Problem, error) {
	b, err := f.Read(name)
	if err != nil {
		return nil, nil, err
	}
	snap, _ := directory.Starter()
	r, ps := route.CheckDocument(snap, b, f.Now)
	return r, ps, nil
}

// Valid reads and validates each request file; the error lists every
// problem of the first invalid one.
func (f RequestFiles) Valid(names ...string) ([]*request.Request, error) {
	var out []*request.Request
	for _, name := range names {
		b, err := f.Read(name)
		if err != nil {
			return nil, err
		}
		r, err := request.CheckFile(name, b, f.Now)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Letter writes the request file name as a formal letter (HTML) in the
// language lang ("": the request's), refusing an invalid request after
// listing its problems on stderr.
func (f RequestFiles) Letter(w, stderr io.Writer, name, lang string, forProvider bool) error {
	r, ps, err := f.Check(name)
	if err != nil {
		return err
	}
	if request.HasErrors(ps) {
		PrintProblemLines(stderr, ps)
		return apperr.Errorf(apperr.EInvalid, "%s is not a valid request; fix the problems above (art35 request validate %s) before printing a letter", name, name)
	}
	// The letter shows the requested authority's time zone and hours; when
	// the request does not state them, take them from the directory.
	if snap, err := directory.Starter(); err == nil {
		route.FillRequested(snap, r)
	}
	if lang != "" && !slices.Contains(request.LetterLanguages(), strings.ToLower(lang)) {
		return Usagef("--lang %q: no letter catalogue for it; use one of %s (a translator adds internal/request/letters/%s.json)", lang, strings.Join(request.LetterLanguages(), ", "), strings.ToLower(lang))
	}
	return request.RenderLetter(w, r, request.LetterOptions{Now: f.Now, ForProvider: forProvider, Language: strings.ToLower(lang)})
}

// NextPreserve is the linked preserve request id to the third country
// that the traffic-path answer in the file answer names, from the
// preserve request in the file orig.
func (f RequestFiles) NextPreserve(orig, answer, id string) (*request.Request, error) {
	rs, err := f.Valid(orig, answer)
	if err != nil {
		return nil, err
	}
	n, err := request.PreserveFromTrafficPath(rs[0], rs[1], id, f.Now)
	if err != nil {
		return nil, err
	}
	if snap, err := directory.Starter(); err == nil {
		route.NameRequested(snap, n)
	}
	return n, nil
}

// Due is the agenda of the request in the file name with the evidences in
// the file evidences, judged at f.Now, ready to print.
func (f RequestFiles) Due(name, evidences string) (AgendaView, error) {
	rs, err := f.Valid(name)
	if err != nil {
		return AgendaView{}, err
	}
	b, err := f.Read(evidences)
	if err != nil {
		return AgendaView{}, err
	}
	snap, _ := directory.Starter()
	state, agenda, zone, err := cases.AgendaFromEvidences(rs[0], evidences, b, snap, f.Now)
	return AgendaView{Request: rs[0], State: state, Agenda: agenda, Zone: zone, Directory: snap, Now: f.Now}, err
}

// ParseNow reads a --now flag: an RFC 3339 time with a zone, or def when
// the flag is empty.
func ParseNow(s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	ts := request.ParseTimestamp(s)
	if !ts.Valid() {
		return def, Usagef("--now %q is not an RFC 3339 time with a zone, e.g. 2026-11-25T03:00:00Z", s)
	}
	return ts.T, nil
}
