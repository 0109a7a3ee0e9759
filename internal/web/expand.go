package web

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A compose form shows one element of each list (data items,
// identifiers). A draft from IP attribution, or a form posted back, may
// hold more: expandFields adds the inputs for every element the values
// name, so nothing typed or attributed is dropped.

// maxElements bounds the inputs one form may grow to; longer lists go
// through the command line or the API.
const maxElements = 200

var indexRE = regexp.MustCompile(`\[(\d+)\]`)

// expandFields returns fields with inputs added for every list element
// that keys name beyond the first.
func expandFields(fields []Field, keys []string) []Field {
	have := map[string]bool{}
	for _, f := range fields {
		have[f.Path] = true
	}
	// Instances: "preserve.data[0].identifiers[3]" for a key under it.
	instances := map[string]bool{}
	for _, k := range keys {
		for _, m := range indexRE.FindAllStringIndex(k, -1) {
			prefix := k[:m[1]]
			if n, _ := strconv.Atoi(k[m[0]+1 : m[1]-1]); n > 0 && n < maxElements {
				instances[prefix] = true
			}
		}
	}
	list := make([]string, 0, len(instances))
	for p := range instances {
		list = append(list, p)
	}
	// Outer lists first, then by index, so data[1] exists before
	// data[1].identifiers[1].
	sort.Slice(list, func(i, j int) bool {
		di, dj := strings.Count(list[i], "["), strings.Count(list[j], "[")
		if di != dj {
			return di < dj
		}
		return naturalLess(list[i], list[j])
	})
	for _, inst := range list {
		if have[inst+".kind"] || have[inst+".category"] || len(list) > maxElements {
			continue
		}
		open := strings.LastIndex(inst, "[")
		n, _ := strconv.Atoi(inst[open+1 : len(inst)-1])
		listPath := inst[:open]
		tmpl := listPath + "[0]"
		// The template: the first element's inputs, with this instance's
		// outer indexes (data[1].identifiers[0] for data[1].identifiers[2]).
		var clones []Field
		for _, f := range fields {
			if strings.HasPrefix(f.Path, tmpl+".") && f.Kind != "hidden" {
				c := f
				c.Path = inst + strings.TrimPrefix(f.Path, tmpl)
				c.Value, c.Problems = "", nil
				if have[c.Path] {
					continue
				}
				clones = append(clones, c)
			}
		}
		if len(clones) == 0 {
			continue
		}
		name := listPath[strings.LastIndex(listPath, ".")+1:]
		legend := Field{Path: inst, Kind: "legend", Label: fmt.Sprintf("%s %d", elementWord(name), n+1)}
		// After the last input of the same list.
		at := len(fields)
		for i := len(fields) - 1; i >= 0; i-- {
			if strings.HasPrefix(fields[i].Path, listPath+"[") {
				at = i + 1
				break
			}
		}
		ins := append([]Field{legend}, clones...)
		fields = append(fields[:at], append(ins, fields[at:]...)...)
		for _, c := range ins {
			have[c.Path] = true
		}
	}
	return fields
}

func elementWord(list string) string {
	switch list {
	case "identifiers", "communications":
		return "Identifier"
	case "data":
		return "Data item"
	}
	return strings.TrimSuffix(list, "s")
}

// naturalLess orders paths with numbers by their value: [2] before [10].
func naturalLess(a, b string) bool {
	na, nb := indexRE.FindAllStringSubmatch(a, -1), indexRE.FindAllStringSubmatch(b, -1)
	for i := 0; i < len(na) && i < len(nb); i++ {
		x, _ := strconv.Atoi(na[i][1])
		y, _ := strconv.Atoi(nb[i][1])
		if x != y {
			return x < y
		}
	}
	return a < b
}

// flatten turns a request document into form values by path.
func flatten(doc []byte) (map[string]string, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, e)
			}
		case []any:
			if len(x) > 0 {
				if _, scalar := x[0].(string); scalar {
					var lines []string
					for _, e := range x {
						lines = append(lines, fmt.Sprint(e))
					}
					out[prefix] = strings.Join(lines, "\n")
					return
				}
			}
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", prefix, i), e)
			}
		case nil:
		case float64:
			out[prefix] = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			out[prefix] = strconv.FormatBool(x)
		default:
			out[prefix] = fmt.Sprint(x)
		}
	}
	walk("", v)
	return out, nil
}
