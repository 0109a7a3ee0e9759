package ipdb

import (
	"bytes"
	_ "embed"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/art35/art35/internal/apperr"
)

//go:generate go run ./gen -src $ART35_IPDATA -out data/default.a35ip

// defaultData is the embedded default snapshot built by ./gen from the
// ip-location-db and IPFire files (see data/README.md for sources,
// dates, licences and credits).
//
//go:embed data/default.a35ip
var defaultData []byte

var (
	defaultOnce   sync.Once
	defaultLayers []*Layer
	defaultErr    error
)

// DefaultLayers decodes the embedded snapshot on first use only, so
// commands that never attribute do not pay the decoding time.
func DefaultLayers() ([]*Layer, error) {
	defaultOnce.Do(func() {
		defaultLayers, defaultErr = Decode(bytes.NewReader(defaultData))
		if defaultErr != nil {
			defaultErr = apperr.Wrap(apperr.EInternal, defaultErr, "embedded IP database")
		}
	})
	return defaultLayers, defaultErr
}

// DefaultSize is the size in bytes of the embedded snapshot.
func DefaultSize() int { return len(defaultData) }

// Open returns the DB a node answers from: every layer file (*.a35ip) in
// dir, then the embedded default. Overlay layers come first so that they
// override operator data; a layer in dir replaces an embedded layer with
// the same source name (a refreshed import). dir may be "" or missing:
// then the embedded default alone answers.
func Open(dir string) (*DB, error) {
	def, err := DefaultLayers()
	if err != nil {
		return nil, err
	}
	var local []*Layer
	if dir != "" {
		local, err = LoadDir(dir)
		if err != nil {
			return nil, err
		}
	}
	return stack(local, def), nil
}

// stack orders layers: overlays, then local layers, then embedded layers
// that no local layer replaces.
func stack(local, def []*Layer) *DB {
	var out []*Layer
	names := map[string]bool{}
	for _, l := range local {
		names[l.Source.Name] = true
		if l.Source.Kind == KindOverlay {
			out = append(out, l)
		}
	}
	for _, l := range local {
		if l.Source.Kind != KindOverlay {
			out = append(out, l)
		}
	}
	for _, l := range def {
		if !names[l.Source.Name] {
			out = append(out, l)
		}
	}
	return New(out...)
}

// LoadDir decodes every *.a35ip file in dir, in name order. A missing
// directory is not an error: a fresh node has imported nothing yet.
func LoadDir(dir string) ([]*Layer, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*"+FileExt))
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "IP data folder %q", dir)
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	sort.Strings(names)
	var out []*Layer
	for _, n := range names {
		ls, err := LoadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, ls...)
	}
	return out, nil
}

// LoadFile decodes one layer file.
func LoadFile(path string) ([]*Layer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, apperr.Wrap(apperr.EInvalid, err, "IP database file")
	}
	defer f.Close()
	ls, err := Decode(f)
	if err != nil {
		return nil, apperr.Wrap(apperr.Code(err), err, "%s", path)
	}
	return ls, nil
}

// WriteFile writes layers to path atomically (temporary file, then
// rename), so a node never reads a half-written import.
func WriteFile(path string, layers ...*Layer) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return apperr.Wrap(apperr.EInvalid, err, "creating IP data folder")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".import-*")
	if err != nil {
		return apperr.Wrap(apperr.EInvalid, err, "writing IP database")
	}
	defer os.Remove(tmp.Name())
	if err := Encode(tmp, layers...); err != nil {
		tmp.Close()
		return apperr.Wrap(apperr.EInternal, err, "writing IP database %s", path)
	}
	if err := tmp.Close(); err != nil {
		return apperr.Wrap(apperr.EInternal, err, "writing IP database %s", path)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return apperr.Wrap(apperr.EInternal, err, "writing IP database %s", path)
	}
	return nil
}
