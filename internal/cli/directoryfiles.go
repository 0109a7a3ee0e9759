package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/directory"
	"github.com/art35/art35/internal/keys"
)

// Keygen creates the secretariat's signing key in the file out (mode
// 0600, never overwritten), prints its public key and id to w for
// publication and says so on stderr.
func Keygen(w, stderr io.Writer, out string) error {
	pub, priv, err := keys.GenerateSigning()
	if err != nil {
		return err
	}
	if err := keys.WritePrivate(out, priv); err != nil {
		return err
	}
	text := keys.FormatSigningPublic(pub)
	fmt.Fprintf(stderr, "wrote the secretariat signing key to %s; publish the public key below and have every node pin it (secretariat_key)\n", out)
	fmt.Fprintf(w, "%s\nkey id %s\n", text, keys.ID(text))
	return nil
}

// writeFile writes b to path for a person to pass on (mode 0644).
func writeFile(path string, b []byte) error {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return apperr.Wrap(apperr.EInvalid, err, "write %s", path)
	}
	return nil
}

// SignSnapshot numbers (serial, or the input's + 1 when 0), dates and
// signs the snapshot file name with the secretariat's key in keyFile,
// valid for validFor from now; the signed file goes to out, or to w when
// out is "", and a line on stderr says what was signed.
func SignSnapshot(w, stderr io.Writer, name, keyFile, out string, serial uint64, now time.Time, validFor time.Duration) error {
	priv, err := keys.LoadSigning(keyFile)
	if err != nil {
		return err
	}
	snap, data, err := directory.SignFile(name, priv, serial, now, validFor)
	if err != nil {
		return err
	}
	if out != "" {
		err = writeFile(out, data)
	} else {
		_, err = w.Write(data)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "signed snapshot serial %d, %d parties, valid until %s\n", snap.Serial, len(snap.Parties), snap.ValidUntil.Format(time.RFC3339))
	return nil
}

// WriteMerged refuses a merge with conflicts left unresolved and, when
// out is given, writes the snapshot base ("starter" or a JSON file) with
// the merged authorities to out, saying so on stderr.
func WriteMerged(stderr io.Writer, res *directory.MergeResult, base, out string) error {
	if err := res.CheckResolved(); err != nil || out == "" {
		return err
	}
	b, err := res.ApplyToFile(base)
	if err != nil {
		return err
	}
	if err := writeFile(out, b); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %s with %d merged authorities; sign it with 'art35 directory sign'\n", out, base, len(res.Entries))
	return nil
}
