// Command mmdbcount is the benchmark's plain-Go baseline: it reads a log,
// takes the first field of each line as the address, looks it up with
// maxminddb-golang and counts lines per country and operator. No
// timestamps, no routes, no report: the least a program must do to
// attribute a log.
//
//	mmdbcount -db same-data.mmdb access.log
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"sort"

	maxminddb "github.com/oschwald/maxminddb-golang/v2"
)

type record struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	ASN uint32 `maxminddb:"autonomous_system_number"`
	Org string `maxminddb:"autonomous_system_organization"`
}

func main() {
	dbPath := flag.String("db", "same-data.mmdb", "mmdb file")
	flag.Parse()
	db, err := maxminddb.Open(*dbPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mmdbcount:", err)
		os.Exit(1)
	}
	defer db.Close()
	type key struct {
		cc  string
		asn uint32
	}
	counts := map[key]int{}
	lines, bad := 0, 0
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mmdbcount:", err)
			os.Exit(1)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines++
			line := sc.Bytes()
			if i := bytes.IndexByte(line, ' '); i >= 0 {
				line = line[:i]
			}
			ip, err := netip.ParseAddr(string(line))
			if err != nil {
				bad++
				continue
			}
			var rec record
			if err := db.Lookup(ip).Decode(&rec); err != nil {
				bad++
				continue
			}
			counts[key{rec.Country.ISOCode, rec.ASN}]++
		}
		f.Close()
	}
	byCountry := map[string]int{}
	for k, n := range counts {
		byCountry[k.cc] += n
	}
	ccs := make([]string, 0, len(byCountry))
	for cc := range byCountry {
		ccs = append(ccs, cc)
	}
	sort.Slice(ccs, func(i, j int) bool { return byCountry[ccs[i]] > byCountry[ccs[j]] })
	fmt.Printf("%d lines, %d without an address, %d countries, %d country/ASN pairs\n", lines, bad, len(ccs), len(counts))
	for i, cc := range ccs {
		if i == 5 {
			break
		}
		fmt.Printf("%s %d\n", cc, byCountry[cc])
	}
}
