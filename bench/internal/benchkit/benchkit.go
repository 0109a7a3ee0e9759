// Package benchkit is what the benchmarks under bench/ share: figures over
// several rounds (median, min, max), the machine's load average printed
// beside them, the process's resident memory, a fresh PostgreSQL schema
// per run, and the way a benchmark gives up.
package benchkit

import (
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Stat is a figure over several rounds.
type Stat struct{ Med, Min, Max float64 }

// Summarise returns the median, min and max of xs (at least one value).
func Summarise(xs []float64) Stat {
	s := slices.Clone(xs)
	slices.Sort(s)
	return Stat{Med: s[len(s)/2], Min: s[0], Max: s[len(s)-1]}
}

// Format prints the figure as "median [min..max]" with prec decimals.
func (s Stat) Format(prec int) string {
	return fmt.Sprintf("%.*f [%.*f..%.*f]", prec, s.Med, prec, s.Min, prec, s.Max)
}

// PrintLoad prints the load average (1, 5 and 15 minutes) "at the when":
// figures measured on a shared machine mean little without it.
func PrintLoad(when string) {
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at the %s (1, 5, 15 min): %s\n", when, strings.Join(strings.Fields(string(load))[:3], " "))
	}
}

// RSSMB returns the process's resident memory in MiB (0 where /proc is
// missing).
func RSSMB() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	fmt.Sscan(string(data), &size, &resident)
	return resident * int64(os.Getpagesize()) / (1 << 20)
}

// PGSchema makes a fresh schema named prefix_TIME in the PostgreSQL
// database of the DSN base and returns a DSN whose search_path is that
// schema.
func PGSchema(base, prefix string) (string, error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer db.Close()
	schema := fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		return "", err
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, nil
}

// Check ends the benchmark named name with status 1 when err is not nil.
func Check(name string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
