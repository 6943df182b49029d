package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"marquee/internal/testenv"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"marquee": func() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script against the in-process
// entry point.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("MARQUEE_CONFIG", "/nonexistent")
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/.config")
			env.Setenv("REPO", testenv.RepoRoot())
			return nil
		},
		RequireExplicitExec: true,
	})
}
