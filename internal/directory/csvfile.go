package directory

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/art35/art35/internal/apperr"
)

// table is a CSV file read strictly: a header row naming every column, the
// same number of fields on every line, no unknown columns. Every error
// names the file, the line and the column so a person can fix the row.
type table struct {
	file   string
	header []string
	cols   map[string]int
	rows   []row
}

// row is one data line of a table.
type row struct {
	t      *table
	line   int
	fields []string
}

// readTable reads a CSV file whose header must contain every name in
// required and may contain names in optional; any other column is refused,
// because a misspelt column would otherwise be silently ignored.
func readTable(file string, data []byte, required, optional []string) (*table, error) {
	return readTableSep(file, data, ',', required, optional)
}

// readTableSep is readTable with another field separator (many European
// spreadsheets export CSV with ";").
func readTableSep(file string, data []byte, comma rune, required, optional []string) (*table, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // spreadsheets add a BOM
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.Comment = '#'       // lets people annotate lists and resolution files
	r.FieldsPerRecord = 0 // every record as long as the header
	r.ReuseRecord = false
	head, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, apperr.Errorf(apperr.EInvalid, "%s: the file is empty; it needs a header line with the columns %s", file, strings.Join(required, ","))
		}
		return nil, csvErr(file, err)
	}
	t := &table{file: file, cols: map[string]int{}}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			return nil, apperr.Errorf(apperr.EInvalid, "%s: line 1, column %d: the header is empty; name the column or delete it", file, i+1)
		}
		if j, dup := t.cols[h]; dup {
			return nil, apperr.Errorf(apperr.EInvalid, "%s: line 1, columns %d and %d: both are named %q; column names must be unique", file, j+1, i+1, h)
		}
		if !slices.Contains(required, h) && !slices.Contains(optional, h) {
			return nil, apperr.Errorf(apperr.EInvalid, "%s: line 1, column %d: unknown column %q; the known columns are %s", file, i+1, h, strings.Join(append(slices.Clone(required), optional...), ","))
		}
		t.cols[h] = i
		t.header = append(t.header, h)
	}
	for _, h := range required {
		if _, ok := t.cols[h]; !ok {
			return nil, apperr.Errorf(apperr.EInvalid, "%s: line 1: the header has no column %q; it needs %s", file, h, strings.Join(required, ","))
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvErr(file, err)
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, row{t: t, line: line, fields: rec})
	}
	return t, nil
}

// csvErr turns an encoding/csv error into one that names file, line and
// column and says what to do.
func csvErr(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		fix := "fix the quoting or the number of fields on that line"
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			fix = "every line must have as many fields as the header"
		}
		return apperr.Errorf(apperr.EInvalid, "%s: line %d, column %d: %v; %s", file, pe.Line, pe.Column, pe.Err, fix)
	}
	return apperr.Wrap(apperr.EInvalid, err, "%s: not a CSV file", file)
}

// get returns the trimmed field of the named column ("" if the column is
// optional and absent).
func (r row) get(name string) string {
	i, ok := r.t.cols[name]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// errf builds an error naming this row's file, line and the column.
func (r row) errf(col, format string, args ...any) error {
	where := fmt.Sprintf("%s: line %d", r.t.file, r.line)
	if i, ok := r.t.cols[col]; ok {
		where += fmt.Sprintf(", column %d (%s)", i+1, col)
	}
	return apperr.Errorf(apperr.EInvalid, "%s: %s", where, fmt.Sprintf(format, args...))
}

// date parses a date column, naming the cell on error.
func (r row) date(col string) (Date, error) {
	v := r.get(col)
	dt, err := ParseDate(v)
	if err != nil {
		return Date{}, r.errf(col, "%q is not a date; write YYYY-MM-DD (e.g. 2022-05-12) or leave it blank when not known", v)
	}
	return dt, nil
}
