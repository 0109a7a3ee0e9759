// Command mkmmdb writes a MaxMind-format database with the same data as
// art35's embedded snapshot (NRO country and RouteViews/DB-IP ASN
// layers), so that the benchmark's plain-Go baseline answers from the
// same facts as art35.
//
//	go run ./bench/ipdb/mkmmdb -out same-data.mmdb
package main

import (
	"flag"
	"fmt"
	"net"
	"os"

	"github.com/art35/art35/internal/ipdb"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/inserter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

func main() {
	out := flag.String("out", "same-data.mmdb", "file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "mkmmdb:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	layers, err := ipdb.DefaultLayers()
	if err != nil {
		return err
	}
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "art35-bench-country-asn",
		IncludeReservedNetworks: true,
		DisableIPv4Aliasing:     true,
		RecordSize:              28,
	})
	if err != nil {
		return err
	}
	for _, l := range layers {
		var werr error
		switch l.Source.Name {
		case "nro-country":
			l.Ranges(func(r ipdb.Range) bool {
				v := mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(r.Record.Country)}}
				werr = tree.InsertRangeFunc(net.IP(r.First.AsSlice()), net.IP(r.Last.AsSlice()), inserter.TopLevelMergeWith(v))
				return werr == nil
			})
		case "routeviews-asn":
			l.Ranges(func(r ipdb.Range) bool {
				v := mmdbtype.Map{
					"autonomous_system_number":       mmdbtype.Uint32(r.Record.ASN),
					"autonomous_system_organization": mmdbtype.String(r.Record.Operator),
				}
				werr = tree.InsertRangeFunc(net.IP(r.First.AsSlice()), net.IP(r.Last.AsSlice()), inserter.TopLevelMergeWith(v))
				return werr == nil
			})
		}
		if werr != nil {
			return fmt.Errorf("%s: %w", l.Source.Name, werr)
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
