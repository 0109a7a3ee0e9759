package cli

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/art35/art35/internal/auditlog"
	"github.com/art35/art35/internal/keys"
)

// PrintVerifyReport prints what "audit verify" found of the log origin.
func PrintVerifyReport(w io.Writer, origin string, rep auditlog.Report) {
	fmt.Fprintf(w, "audit log %s is intact: %d records, root %s\n", origin, rep.Size, b64(rep.Root[:]))
	if rep.Latest == nil {
		fmt.Fprintln(w, "no signed checkpoint yet: nothing protects the log against rewriting (run 'art35 audit checkpoint')")
		return
	}
	fmt.Fprintf(w, "%d signed checkpoints verified; latest covers %d records, signed %s\n",
		rep.Checkpoints, rep.Latest.Size, rep.Latest.Time.Format(time.RFC3339))
	if rep.Latest.Size < rep.Size {
		fmt.Fprintf(w, "%d records are newer than the latest checkpoint (run 'art35 audit checkpoint')\n", rep.Size-rep.Latest.Size)
	}
}

// PrintBundle prints a proof bundle checked offline: its checkpoint and
// every record it proves.
func PrintBundle(w io.Writer, got *auditlog.Checked) error {
	cp := got.Checkpoint
	fmt.Fprintf(w, "bundle OK: %d records about message %s are in log %s\n", len(got.Records), got.Bundle.MessageID, cp.Origin)
	fmt.Fprintf(w, "checkpoint of %d records, root %s, signed %s by %s\n",
		cp.Size, b64(cp.Root[:]), cp.Time.Format(time.RFC3339), keys.FormatSigningPublic(got.SignedBy))
	if got.UncheckedCosignatures > 0 {
		fmt.Fprintf(w, "%d peer cosignatures present, not checked by this version\n", got.UncheckedCosignatures)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tTIME\tKIND\tACTOR\tCASE\tDIGEST")
	for i, r := range got.Records {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", got.Bundle.Entries[i].Index, r.Time.Format(time.RFC3339), r.Kind, r.Actor, Dash(r.Case), Dash(r.Digest))
	}
	return tw.Flush()
}

// PrintAuditList prints audit records, newest first: who did what.
func PrintAuditList(w io.Writer, got []auditlog.Listed) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tTIME\tKIND\tACTOR\tCASE\tMESSAGE\tPURPOSE")
	for _, l := range got {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Index, l.Time.Format(time.RFC3339), l.Kind, l.Actor, Dash(l.Case), Dash(l.MessageID), Dash(l.Purpose))
	}
	return tw.Flush()
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Dash is s, or "-" when s is blank: an empty cell a reader can see.
func Dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
