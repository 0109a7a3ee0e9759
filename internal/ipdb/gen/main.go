// Command gen builds art35's embedded default IP database from the
// ip-location-db and IPFire snapshot files. It runs at development time
// only ("go generate ./internal/ipdb"); art35 itself never reads the
// source folder.
//
//	go run ./internal/ipdb/gen -src DIR -out internal/ipdb/data/default.a35ip
//
// where DIR holds the snapshot files listed in internal/ipdb/data/README.md.
package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/art35/art35/internal/ipdb"
)

func main() {
	src := flag.String("src", "", "folder with asn-ipv4.csv.gz, country-ipv4.csv.gz, ipfire-geoip-ipv4.txt.gz and their ipv6 twins")
	out := flag.String("out", "data/default.a35ip", "file to write")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "gen: -src is required")
		os.Exit(2)
	}
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Sources of the default snapshot, highest priority first. Their credits
// are what "art35 attribute --sources" prints.
var layers = []struct {
	src   ipdb.Source
	files []string
}{
	{ipdb.Source{
		Name: "nro-country", Label: "NRO", Kind: ipdb.KindCountry, AsOf: date("2026-06-17"),
		Licence: "CC BY 4.0",
		Credit:  "Country of registration from the RIR delegation statistics published by the NRO (nro.net), joined with ASN data, via the ip-location-db package @ip-location-db/asn-country 2.3.2026061719",
		URL:     "https://www.nro.net/about/rirs/statistics/",
	}, []string{"country-ipv4.csv.gz", "country-ipv6.csv.gz"}},
	{ipdb.Source{
		Name: "ipfire-country", Label: "IPFire", Kind: ipdb.KindCountry, AsOf: date("2026-06-25"),
		Licence: "CC BY-SA 4.0",
		Credit:  "IPFire Location database (location.ipfire.org), converted by Tor's geoip-db-tool, from Debian package tor-geoipdb 0.4.9.11",
		URL:     "https://location.ipfire.org/",
	}, []string{"ipfire-geoip-ipv4.txt.gz", "ipfire-geoip-ipv6.txt.gz"}},
	{ipdb.Source{
		Name: "routeviews-asn", Label: "RouteViews/DB-IP", Kind: ipdb.KindASN, AsOf: date("2026-06-17"),
		Licence: "CC BY 4.0",
		Credit:  "ASN and operator names from RouteViews (routeviews.org), the five RIRs via the NRO, and DB-IP \"IP to ASN Lite\": IP Geolocation by DB-IP (https://db-ip.com), via the ip-location-db package @ip-location-db/asn 2.3.2026061719",
		URL:     "https://db-ip.com",
	}, []string{"asn-ipv4.csv.gz", "asn-ipv6.csv.gz"}},
}

func run(src, out string) error {
	var built []*ipdb.Layer
	for _, l := range layers {
		b := ipdb.NewBuilder(l.src)
		for _, name := range l.files {
			f, err := os.Open(filepath.Join(src, name))
			if err != nil {
				return err
			}
			zr, err := gzip.NewReader(f)
			if err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
			st, err := ipdb.ImportRanges(zr, b)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			fmt.Fprintf(os.Stderr, "%s: %d lines, %d ranges, %d skipped, %d bad %v\n", name, st.Lines, st.Ranges, st.Skipped, st.Bad, st.Examples)
			if st.Bad > 0 {
				return fmt.Errorf("%s: %d bad lines; fix the importer or the file before shipping", name, st.Bad)
			}
		}
		layer, bs := b.Build()
		v4, v6 := layer.Len()
		fmt.Fprintf(os.Stderr, "%s: %d IPv4 + %d IPv6 ranges, %d records (merged %d, overlaps %d)\n",
			l.src.Name, v4, v6, len(layer.Records), bs.Merged, bs.Overlaps)
		built = append(built, layer)
	}
	if err := ipdb.WriteFile(out, built...); err != nil {
		return err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d bytes\n", out, fi.Size())
	return nil
}
