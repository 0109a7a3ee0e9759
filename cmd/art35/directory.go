package main

import (
	"context"
	"time"

	"github.com/art35/art35/internal/cli"
	"github.com/art35/art35/internal/directory"
)

func runDirectory(ctx context.Context, e *env, args []string) error {
	return e.Dispatch(ctx, directoryCmd, []subcommand{
		{Name: "show", Short: "one party: status under each instrument, authorities, who is on duty, legal profile", Run: dirShow},
		{Name: "list", Short: "the parties, optionally those of one instrument", Run: dirList},
		{Name: "export", Short: "write a snapshot as editable JSON (the input of sign)", Run: dirExport},
		{Name: "import", Short: "build a snapshot from a corrected parties list (the parties.csv layout)", Run: dirImport},
		{Name: "keygen", Short: "create the secretariat's Ed25519 signing key", Run: dirKeygen},
		{Name: "sign", Short: "number, date and sign a snapshot with the secretariat key", Run: dirSign},
		{Name: "verify", Short: "check a signed snapshot as a node would accept it", Run: dirVerify},
		{Name: "merge", Short: "merge two source contact lists and report every conflict", Run: dirMerge},
		{Name: "diff", Short: "what changed between two snapshots, field by field", Run: dirDiff},
	}, args)
}

func dirShow(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(directoryCmd, "show")
	var src cli.DirSource
	src.Bind(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cli.ParseArgs(fs, args, 1, "show needs one party code, e.g. art35 directory show IT")
	if err != nil {
		return err
	}
	snap, from, err := src.Load(e.Getenv, e.Clock.Now())
	if err != nil {
		return err
	}
	p, err := snap.Find(pos[0])
	if err != nil {
		return err
	}
	v := cli.NewPartyView(snap, p, from, e.Clock.Now())
	return cli.Show(e.Stdout, *asJSON, v, nil, func() error { cli.PrintParty(e.Stdout, snap, v); return nil })
}

func dirList(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(directoryCmd, "list")
	var src cli.DirSource
	src.Bind(fs)
	instr := fs.String("instrument", "", "only parties that signed or are parties to: budapest, protocol2, un2024 or eu")
	inForce := fs.Bool("in-force", false, "only parties the instrument binds now")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := cli.NoArgs(fs, args, "list takes no arguments (got %q)"); err != nil {
		return err
	}
	var in directory.Instrument
	if *instr != "" {
		var err error
		if in, err = directory.ParseInstrument(*instr); err != nil {
			return cli.Usagef("--instrument: %v", err)
		}
	}
	if *inForce && in == "" {
		return cli.Usagef("--in-force needs --instrument")
	}
	snap, from, err := src.Load(e.Getenv, e.Clock.Now())
	if err != nil {
		return err
	}
	now := e.Clock.Now()
	parties := cli.FilterParties(snap, cli.PartyFilter{Instrument: in, InForce: *inForce, Now: now})
	if *asJSON {
		return cli.WriteJSON(e.Stdout, cli.PartyList{Instrument: in, Count: len(parties), Parties: parties, Snapshot: cli.Info(snap, from)})
	}
	return cli.PrintPartyList(e.Stdout, snap, parties, from, now)
}

func dirExport(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(directoryCmd, "export")
	var src cli.DirSource
	src.Bind(fs)
	if err := cli.NoArgs(fs, args, "export takes no arguments (got %q)"); err != nil {
		return err
	}
	snap, _, err := src.Load(e.Getenv, e.Clock.Now())
	if err != nil {
		return err
	}
	b, err := directory.Export(snap)
	if err != nil {
		return err
	}
	_, err = e.Stdout.Write(b)
	return err
}

func dirImport(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(directoryCmd, "import")
	pos, err := cli.ParseArgs(fs, args, 1, "import needs one PARTIES.csv (columns iso2,name,budapest,budapest_note,protocol2_signed,protocol2_ratified,un2024_signed,eu,confidence)")
	if err != nil {
		return err
	}
	b, err := directory.ImportPartiesFile(pos[0])
	if err != nil {
		return err
	}
	_, err = e.Stdout.Write(b)
	return err
}

func dirKeygen(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(directoryCmd, "keygen")
	out := fs.String("out", "", "file to write the private key to (created with mode 0600; never overwritten)")
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(pos) != 0 {
		return cli.Usagef("keygen needs --out FILE and no arguments")
	}
	return cli.Keygen(e.Stdout, e.Stderr, *out)
}

func dirSign(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(directoryCmd, "sign")
	keyFile := fs.String("key", "", "the secretariat's private key file (from 'directory keygen')")
	serial := fs.Uint64("serial", 0, "serial number of this snapshot (default: the input's serial + 1)")
	validFor := fs.Duration("valid-for", 30*24*time.Hour, "how long nodes accept the snapshot")
	out := fs.String("out", "", "write the signed file here instead of standard output")
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	if *keyFile == "" || len(pos) != 1 {
		return cli.Usagef("sign needs --key FILE and one SNAPSHOT.json (from 'art35 directory export')")
	}
	return cli.SignSnapshot(e.Stdout, e.Stderr, pos[0], *keyFile, *out, *serial, e.Clock.Now(), *validFor)
}

func dirVerify(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(directoryCmd, "verify")
	pubkey := fs.String("pubkey", "", "the secretariat's public key, ed25519:... (or ART35_SECRETARIAT_KEY)")
	held := fs.Uint64("held-serial", 0, "serial of the snapshot this node holds; the new one must be higher")
	pos, err := cli.ParseArgs(fs, args, 1, "verify needs one signed FILE")
	if err != nil {
		return err
	}
	pub, err := cli.PinnedKey(e.Getenv, *pubkey)
	if err != nil {
		return err
	}
	sf, err := directory.VerifyFile(pos[0], pub, *held, e.Clock.Now())
	if err != nil {
		return err
	}
	cli.PrintVerified(e.Stdout, pos[0], sf)
	return nil
}

func dirMerge(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(directoryCmd, "merge")
	resFile := fs.String("resolutions", "", "CSV of explicit choices: conflict,choose,value (choose a, b or value)")
	asJSON := fs.Bool("json", false, "print the merge result as JSON")
	base := fs.String("base", "starter", "snapshot to apply the merged authorities to with --out (JSON file or \"starter\")")
	out := fs.String("out", "", "when every conflict is resolved, write the base snapshot with the merged authorities here, ready for 'directory sign'")
	pos, err := cli.ParseArgs(fs, args, 2, "merge needs two source lists A and B")
	if err != nil {
		return err
	}
	res, err := directory.MergeFiles(pos[0], pos[1], *resFile, e.Clock.Now())
	if err != nil {
		return err
	}
	if err := cli.Show(e.Stdout, *asJSON, res, nil, func() error { cli.PrintMerge(e.Stdout, res); return nil }); err != nil {
		return err
	}
	return cli.WriteMerged(e.Stderr, res, *base, *out)
}

func dirDiff(ctx context.Context, e *env, args []string) error {
	fs := e.FlagSet(directoryCmd, "diff")
	pubkey := fs.String("pubkey", "", "check the signatures of signed files against this key (ed25519:...)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return cli.Usagef("diff needs OLD and NEW (signed files, snapshot JSON, or \"starter\")")
	}
	old, err := directory.ReadAnyKey(pos[0], *pubkey)
	if err != nil {
		return err
	}
	new, err := directory.ReadAnyKey(pos[1], *pubkey)
	if err != nil {
		return err
	}
	d := directory.DiffSnapshots(old, new)
	return cli.Show(e.Stdout, *asJSON, d, nil, func() error { return d.WriteText(e.Stdout) })
}
