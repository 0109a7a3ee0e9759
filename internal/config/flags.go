package config

import (
	"io"
	"log/slog"
)

// Flags are the settings a command line may give, the last layer over
// defaults, art35.toml and ART35_*: a value left "" keeps the layer below.
type Flags struct {
	Data, Party, Authority, Database, Listen, PortalListen, AdminListen, PublicURL, LogLevel, LogFormat string
}

// LoadFlags loads the configuration of the data folder f.Data (or
// ART35_DATA) and applies the flags that were set.
func LoadFlags(f Flags, getenv func(string) string) (Config, error) {
	data := f.Data
	if data == "" {
		data = getenv("ART35_DATA")
	}
	c, err := Load(data, getenv)
	if err != nil {
		return c, err
	}
	for _, o := range []struct {
		flag string
		dst  *string
	}{
		{f.Party, &c.Party}, {f.Authority, &c.Authority}, {f.Database, &c.Database}, {f.Listen, &c.Listen}, {f.PortalListen, &c.PortalListen}, {f.AdminListen, &c.AdminListen},
		{f.PublicURL, &c.PublicURL}, {f.LogLevel, &c.LogLevel}, {f.LogFormat, &c.LogFormat},
	} {
		if o.flag != "" {
			*o.dst = o.flag
		}
	}
	return c, nil
}

// Logger returns the node's logger writing to w at c's level, as text or
// JSON (log_format).
func (c Config) Logger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
