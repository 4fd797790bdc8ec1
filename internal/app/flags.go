package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errUsage marks a usage error: exit status 2.
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (u usageError) Error() string   { return u.msg }
func (u usageError) Is(t error) bool { return t == errUsage }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// parseFlags parses fs from args where flags may stand anywhere among the
// positional arguments ("import contacts a.csv --dedupe email"); "--" ends
// the flags. It returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			return nil, usagef("unknown flag %s", a)
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 >= len(args) {
			return nil, usagef("flag %s needs a value", a)
		}
		i++
		flags = append(flags, args[i])
	}
	if err := fs.Parse(flags); err != nil {
		return nil, usagef("%v", err)
	}
	return pos, nil
}

// env returns the value of a flag, else of an environment variable, else def.
func env(getenv func(string) string, flagValue, name, def string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := getenv(name); v != "" {
		return v
	}
	return def
}
