package ipdb

import "time"

// LayerInfo describes one layer of a DB (a line of "ipdb info").
type LayerInfo struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Kind     string `json:"kind"`
	AsOf     string `json:"as_of,omitempty"`
	IPv4     int    `json:"ipv4_ranges"`
	IPv6     int    `json:"ipv6_ranges"`
	Licence  string `json:"licence,omitempty"`
	Credit   string `json:"credit,omitempty"`
	URL      string `json:"url,omitempty"`
	Embedded bool   `json:"embedded"`
}

// Describe describes the layers of db in priority order, saying which
// came embedded in the binary.
func Describe(db *DB) []LayerInfo {
	def, _ := DefaultLayers()
	embedded := map[*Layer]bool{}
	for _, l := range def {
		embedded[l] = true
	}
	var out []LayerInfo
	for _, l := range db.Layers() {
		v4, v6 := l.Len()
		s := l.Source
		i := LayerInfo{Name: s.Name, Label: s.Label, Kind: s.Kind, IPv4: v4, IPv6: v6, Licence: s.Licence, Credit: s.Credit, URL: s.URL, Embedded: embedded[l]}
		if !s.AsOf.IsZero() {
			i.AsOf = s.AsOf.Format(time.DateOnly)
		}
		out = append(out, i)
	}
	return out
}
