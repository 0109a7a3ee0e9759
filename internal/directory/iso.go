package directory

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

// iso3166CSV is ISO 3166-1 from Debian's iso-codes package (see data/README.md).
//
//go:embed data/iso3166-1.csv
var iso3166CSV []byte

// zonesCSV lists the countries that have exactly one IANA time zone
// (tzdata zone.tab), so a national authority's zone is known without asking.
//
//go:embed data/zones.csv
var zonesCSV []byte

type isoTables struct {
	name   map[string]string // alpha-2 -> short name
	alpha3 map[string]string // alpha-3 -> alpha-2
	byName map[string]string // normalised name -> alpha-2
	zone   map[string]string // alpha-2 -> the country's only time zone
}

// aliases are names in common use that ISO 3166-1 does not list: former
// short names, English exonyms, abbreviations seen in contact lists.
var aliases = map[string]string{
	"turkey": "TR", "usa": "US", "us": "US", "united states of america": "US", "america": "US",
	"uk": "GB", "great britain": "GB", "britain": "GB", "czech republic": "CZ",
	"russia": "RU", "cape verde": "CV", "ivory coast": "CI", "swaziland": "SZ",
	"macedonia": "MK", "former yugoslav republic of macedonia": "MK", "fyrom": "MK",
	"holy see": "VA", "vatican": "VA", "burma": "MM", "east timor": "TL",
	"south korea": "KR", "republic of korea": "KR", "moldova": "MD", "slovak republic": "SK",
	"the netherlands": "NL", "holland": "NL", "vietnam": "VN", "iran": "IR", "syria": "SY",
	"laos": "LA", "bolivia": "BO", "tanzania": "TZ", "venezuela": "VE", "brunei": "BN",
}

var (
	isoOnce sync.Once
	iso     *isoTables
	isoErr  error
)

func loadISO() (*isoTables, error) {
	isoOnce.Do(func() {
		t := &isoTables{name: map[string]string{}, alpha3: map[string]string{}, byName: map[string]string{}, zone: map[string]string{}}
		tab, err := readTable("data/iso3166-1.csv", iso3166CSV, []string{"alpha2", "alpha3", "name", "official_name", "common_name"}, nil)
		if err != nil {
			isoErr = err
			return
		}
		for _, r := range tab.rows {
			a2 := r.get("alpha2")
			t.name[a2] = r.get("name")
			t.alpha3[r.get("alpha3")] = a2
			for _, n := range []string{r.get("name"), r.get("official_name"), r.get("common_name")} {
				if n == "" {
					continue
				}
				t.byName[NormalizeName(n)] = a2
				// "Korea, Republic of" is also written "Republic of Korea".
				if a, b, ok := strings.Cut(n, ", "); ok {
					t.byName[NormalizeName(b+" "+a)] = a2
				}
			}
		}
		for k, v := range aliases {
			t.byName[NormalizeName(k)] = v
		}
		zt, err := readTable("data/zones.csv", zonesCSV, []string{"alpha2", "time_zone"}, nil)
		if err != nil {
			isoErr = err
			return
		}
		for _, r := range zt.rows {
			t.zone[r.get("alpha2")] = r.get("time_zone")
		}
		iso = t
	})
	return iso, isoErr
}

// ISOName returns the ISO 3166-1 short name of an alpha-2 code, and whether
// the code is assigned.
func ISOName(code string) (string, bool) {
	t, err := loadISO()
	if err != nil {
		return "", false
	}
	n, ok := t.name[strings.ToUpper(code)]
	return n, ok
}

// CountryZone returns the IANA time zone of a country that has exactly one.
func CountryZone(code string) (string, bool) {
	t, err := loadISO()
	if err != nil {
		return "", false
	}
	z, ok := t.zone[strings.ToUpper(code)]
	return z, ok
}

// LookupCountry finds the ISO alpha-2 code for what a source list wrote: an
// alpha-2 or alpha-3 code, an ISO name, official or common name, or a known
// alias ("Turkey", "Czech Republic", "USA"). Spelling differences in case,
// accents and punctuation do not matter.
func LookupCountry(s string) (string, bool) {
	t, err := loadISO()
	if err != nil {
		return "", false
	}
	s = strings.TrimSpace(s)
	if len(s) == 2 {
		if _, ok := t.name[strings.ToUpper(s)]; ok {
			return strings.ToUpper(s), true
		}
	}
	if len(s) == 3 {
		if a2, ok := t.alpha3[strings.ToUpper(s)]; ok {
			return a2, true
		}
	}
	a2, ok := t.byName[NormalizeName(s)]
	return a2, ok
}

// foldLatin maps accented Latin letters seen in country and agency names to
// their base letter, so that "Türkiye" and "Turkiye" match without pulling
// in a Unicode normalisation library.
var foldLatin = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a",
	'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'į': "i", 'ı': "i",
	'ł': "l", 'ľ': "l", 'ĺ': "l", 'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ő': "o",
	'ŕ': "r", 'ř': "r", 'ś': "s", 'š': "s", 'ş': "s", 'ș': "s", 'ß': "ss",
	'ť': "t", 'ţ': "t", 'ț': "t", 'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z", 'æ': "ae", 'œ': "oe",
}

// NormalizeName folds a name for matching: lower case, accents removed,
// "&" read as "and", punctuation dropped, a leading "the" dropped, spaces
// collapsed.
func NormalizeName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if f, ok := foldLatin[r]; ok {
			b.WriteString(f)
			space = false
			continue
		}
		switch {
		case r == '&':
			b.WriteString(" and ")
			space = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		case r == '\'' || r == '’' || r == '.':
			// "Côte d'Ivoire" = "Cote dIvoire"; "U.S.A." = "USA"
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	return strings.TrimPrefix(out, "the ")
}
