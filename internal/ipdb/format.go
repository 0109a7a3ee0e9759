package ipdb

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/art35/art35/internal/apperr"
)

// The file format (".a35ip") holds one or more layers:
//
//	"A35IPDB" 0x01                     magic and version, uncompressed
//	gzip stream of:
//	  uvarint n, n strings (uvarint length, bytes)   every text once
//	  uvarint layers
//	  per layer, prefixed by its length in bytes (uvarint):
//	    uvarint string ids: name, label, kind, as-of (YYYY-MM-DD or ""), licence, credit, url
//	    uvarint records; per record: uvarint country id, uvarint ASN, uvarint operator id, uvarint desk id
//	    uvarint IPv4 ranges; per range: uvarint gap from the previous end+1, uvarint size-1, uvarint record
//	    uvarint IPv6 ranges; per range: gap and size-1 as two uvarints each (high, low 64 bits), uvarint record
//
// Ranges are sorted and disjoint, so gaps and sizes are small numbers and
// varints plus gzip make the 1.1 million ranges of the default snapshot a
// few megabytes. Strings are deduplicated because 400,000 ASN ranges share
// about 80,000 operator names.
const magic = "A35IPDB\x01"

// FileExt is the extension of layer files in a node's data folder.
const FileExt = ".a35ip"

// Limits that keep a hostile or corrupt file from making the decoder
// allocate without bound.
const (
	maxStrings = 1 << 22
	maxStrLen  = 1 << 16
	maxLayers  = 64
	maxRanges  = 1 << 25
)

// Encode writes layers to w in the compact format.
func Encode(w io.Writer, layers ...*Layer) error {
	strs := []string{""}
	ids := map[string]uint64{"": 0}
	id := func(s string) uint64 {
		if i, ok := ids[s]; ok {
			return i
		}
		ids[s] = uint64(len(strs))
		strs = append(strs, s)
		return ids[s]
	}
	// Layers first into memory with string ids, so the string table can
	// lead; each layer is length-prefixed so a reader can decode layers in
	// parallel.
	body := binary.AppendUvarint(nil, uint64(len(layers)))
	var lb []byte
	put := func(v uint64) { lb = binary.AppendUvarint(lb, v) }
	for _, l := range layers {
		lb = lb[:0]
		s := l.Source
		asOf := ""
		if !s.AsOf.IsZero() {
			asOf = s.AsOf.UTC().Format(time.DateOnly)
		}
		for _, f := range []string{s.Name, s.Label, s.Kind, asOf, s.Licence, s.Credit, s.URL} {
			put(id(f))
		}
		put(uint64(len(l.Records)))
		for _, r := range l.Records {
			put(id(r.Country))
			put(uint64(r.ASN))
			put(id(r.Operator))
			put(id(r.Desk))
		}
		put(uint64(len(l.v4.start)))
		next := uint64(0)
		for i := range l.v4.start {
			s, e := uint64(l.v4.start[i]), uint64(l.v4.end[i])
			put(s - next)
			put(e - s)
			put(uint64(l.v4.rec[i]))
			next = e + 1
		}
		put(uint64(len(l.v6.start)))
		n6 := u128{}
		for i := range l.v6.start {
			s, e := l.v6.start[i], l.v6.end[i]
			g, z := s.sub(n6), e.sub(s)
			put(g.hi)
			put(g.lo)
			put(z.hi)
			put(z.lo)
			put(uint64(l.v6.rec[i]))
			n6 = e.add(u128{lo: 1})
		}
		body = binary.AppendUvarint(body, uint64(len(lb)))
		body = append(body, lb...)
	}
	if _, err := io.WriteString(w, magic); err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	var head []byte
	head = binary.AppendUvarint(head, uint64(len(strs)))
	for _, s := range strs {
		head = binary.AppendUvarint(head, uint64(len(s)))
		head = append(head, s...)
	}
	if _, err := zw.Write(head); err != nil {
		return err
	}
	if _, err := zw.Write(body); err != nil {
		return err
	}
	return zw.Close()
}

// decoder reads the decompressed body from memory (varints from a byte
// slice decode several times faster than through an io.ByteReader); the
// first error sticks so the parsing code stays linear, and every count is
// checked against the bytes left before it sizes anything.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uv(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		if n == 0 {
			d.err = fmt.Errorf("%s: %w", what, io.ErrUnexpectedEOF)
		} else {
			d.err = fmt.Errorf("%s: number too large", what)
		}
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a count of items that take at least minBytes each.
func (d *decoder) count(what string, limit uint64, minBytes int) int {
	n := d.uv(what)
	if d.err == nil && (n > limit || n > uint64(len(d.b)/minBytes)) {
		d.err = fmt.Errorf("%s: count %d is over the limit or longer than the file", what, n)
		return 0
	}
	return int(n)
}

// maxBody bounds the decompressed size, so a small hostile file cannot
// expand into gigabytes.
const maxBody = 1 << 30

// Decode reads layers written by Encode. A damaged or foreign file gives
// an EInvalid error that says what is wrong; it never panics (FuzzDecode).
func Decode(r io.Reader) ([]*Layer, error) {
	var m [len(magic)]byte
	if _, err := io.ReadFull(r, m[:]); err != nil || string(m[:]) != magic {
		return nil, apperr.Errorf(apperr.EInvalid, "not an art35 IP database file (it must start with %q); build one with 'art35 ipdb import'", magic[:7])
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "IP database file: compressed body is damaged")
	}
	defer zr.Close()
	body, err := io.ReadAll(io.LimitReader(zr, maxBody+1))
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "IP database file: compressed body is damaged")
	}
	if len(body) > maxBody {
		return nil, apperr.Errorf(apperr.EInvalid, "IP database file expands to more than %d bytes; it is not an art35 file", maxBody)
	}
	d := &decoder{b: body}
	ls, err := d.layers()
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "IP database file is damaged; re-import it")
	}
	return ls, nil
}

func (d *decoder) layers() ([]*Layer, error) {
	ns := d.count("string table", maxStrings, 1)
	strs := make([]string, 0, ns)
	for i := 0; i < ns && d.err == nil; i++ {
		n := d.count("string length", maxStrLen, 1)
		if d.err != nil {
			break
		}
		if n > len(d.b) {
			d.err = fmt.Errorf("string %d: %w", i, io.ErrUnexpectedEOF)
			break
		}
		strs = append(strs, string(d.b[:n]))
		d.b = d.b[n:]
	}
	nl := d.count("layer count", maxLayers, 1)
	parts := make([][]byte, 0, nl)
	for li := 0; li < nl && d.err == nil; li++ {
		n := d.count("layer length", uint64(len(d.b)), 1)
		if d.err == nil {
			parts = append(parts, d.b[:n])
			d.b = d.b[n:]
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	// Layers are independent: decoding them at once takes the load time
	// of the default snapshot from about 250 to 150 ms on two cores.
	out := make([]*Layer, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ld := &decoder{b: p}
			out[i] = ld.layer(strs, i)
			if ld.err == nil && len(ld.b) != 0 {
				ld.err = fmt.Errorf("layer %d: %d bytes left over", i, len(ld.b))
			}
			errs[i] = ld.err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// layer decodes one layer's bytes.
func (d *decoder) layer(strs []string, li int) *Layer {
	str := func(what string) string {
		i := d.uv(what)
		if d.err != nil {
			return ""
		}
		if i >= uint64(len(strs)) {
			d.err = fmt.Errorf("%s: string id %d is out of range", what, i)
			return ""
		}
		return strs[i]
	}
	l := &Layer{}
	s := &l.Source
	s.Name, s.Label, s.Kind = str("name"), str("label"), str("kind")
	if asOf := str("as-of"); asOf != "" && d.err == nil {
		t, err := time.Parse(time.DateOnly, asOf)
		if err != nil {
			d.err = fmt.Errorf("layer %d as-of %q is not a date", li, asOf)
		}
		s.AsOf = t
	}
	s.Licence, s.Credit, s.URL = str("licence"), str("credit"), str("url")
	nr := d.count("record count", maxRanges, 4)
	l.Records = make([]Record, 0, nr)
	for i := 0; i < nr && d.err == nil; i++ {
		var rec Record
		rec.Country = str("country")
		asn := d.uv("asn")
		if asn > 1<<32-1 {
			d.err = fmt.Errorf("ASN %d is too large", asn)
		}
		rec.ASN = uint32(asn)
		rec.Operator, rec.Desk = str("operator"), str("desk")
		l.Records = append(l.Records, rec)
	}
	checkRec := func(v uint64) uint32 {
		if d.err == nil && v >= uint64(len(l.Records)) {
			d.err = fmt.Errorf("layer %q: record id %d is out of range", s.Name, v)
		}
		return uint32(v)
	}
	n4 := d.count("IPv4 range count", maxRanges, 3)
	l.v4.start = make([]uint32, 0, n4)
	l.v4.end = make([]uint32, 0, n4)
	l.v4.rec = make([]uint32, 0, n4)
	next, over := uint64(0), false
	for i := 0; i < n4 && d.err == nil; i++ {
		g, z, rec := d.uv("gap"), d.uv("size"), checkRec(d.uv("record"))
		st := next + g
		e := st + z
		if over || g > 1<<32 || z > 1<<32 || e > 1<<32-1 {
			d.err = fmt.Errorf("layer %q: IPv4 range %d runs past 255.255.255.255", s.Name, i)
			break
		}
		l.v4.start = append(l.v4.start, uint32(st))
		l.v4.end = append(l.v4.end, uint32(e))
		l.v4.rec = append(l.v4.rec, rec)
		next = e + 1
		over = e == 1<<32-1
	}
	l.v4.buildIndex()
	n6 := d.count("IPv6 range count", maxRanges, 5)
	l.v6.start = make([]u128, 0, n6)
	l.v6.end = make([]u128, 0, n6)
	l.v6.rec = make([]uint32, 0, n6)
	n6next, over6 := u128{}, false
	for i := 0; i < n6 && d.err == nil; i++ {
		g := u128{d.uv("gap"), d.uv("gap")}
		z := u128{d.uv("size"), d.uv("size")}
		rec := checkRec(d.uv("record"))
		st := n6next.add(g)
		e := st.add(z)
		if over6 || st.less(n6next) || e.less(st) {
			d.err = fmt.Errorf("layer %q: IPv6 range %d runs past the last address", s.Name, i)
			break
		}
		l.v6.start = append(l.v6.start, st)
		l.v6.end = append(l.v6.end, e)
		l.v6.rec = append(l.v6.rec, rec)
		over6 = e.isMax()
		n6next = e.add(u128{lo: 1})
	}
	return l
}
