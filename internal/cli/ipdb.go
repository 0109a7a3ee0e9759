package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/art35/art35/internal/ipdb"
)

// PrintLayers prints the IP data layers answering, in priority order, and
// how long the embedded snapshot took to decode.
func PrintLayers(w io.Writer, out []ipdb.LayerInfo, loaded time.Duration) {
	fmt.Fprintf(w, "Layers in priority order (embedded snapshot: %d bytes; decoded in %d ms):\n", ipdb.DefaultSize(), loaded.Milliseconds())
	for _, i := range out {
		where := "imported"
		if i.Embedded {
			where = "embedded"
		}
		fmt.Fprintf(w, "  %-18s %-8s %-8s as of %-10s %8d IPv4 %8d IPv6 ranges  %s\n", i.Name, i.Kind, where, i.AsOf, i.IPv4, i.IPv6, i.Licence)
	}
}
