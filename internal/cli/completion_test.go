package cli

import "testing"

func TestParseFlagHelp(t *testing.T) {
	t.Parallel()
	text := "usage: art35 x\n\nflags:\n  -data string\n    \tthe data folder\n    \tsecond line (default $ART35_DATA)\n  -j\tone letter\n  -json\n    \tprint JSON\n  -n int\n    \tcount (default 3)\n"
	got := parseFlagHelp(text)
	want := []flagHelp{
		{name: "data", value: true, usage: "the data folder second line (default $ART35_DATA)"},
		{name: "j", usage: "one letter"},
		{name: "json", usage: "print JSON"},
		{name: "n", value: true, usage: "count (default 3)"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("flag %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
