package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"marquee/internal/catalog"
	"marquee/internal/config"
	"marquee/internal/job"
)

// Build information, set with -ldflags "-X main.version=...".
var (
	version = "dev"
	commit  = ""
)

// Main is the in-process entry point: it runs marquee with args and returns
// the exit code. Only main calls os.Exit.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := newFactory(stdout, stderr, config.DefaultLoader())
	defer f.Close()
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return job.ExitOK
	}
	if !f.started && !errors.Is(err, catalog.ErrUsage) && ctx.Err() == nil {
		// Cobra's own errors (unknown command or flag, bad args) are usage errors.
		err = fmt.Errorf("%w: %w", catalog.ErrUsage, err)
	}
	code := job.ExitCode(err)
	if !f.reported {
		fmt.Fprintf(stderr, "marquee: %s\n", strings.TrimPrefix(err.Error(), "usage error: "))
		if code == job.ExitUsage {
			fmt.Fprintln(stderr, "Run 'marquee --help' for usage.")
		}
	}
	return code
}

const rootLong = `marquee runs the batch side of a release-catalog data platform: upcoming
movies, performances, sports and exhibitions, mostly from Korean sites.

Each subcommand runs alone or chained (marquee run daily), is idempotent for
its logical date (--date, or --from/--to for backfills), and leaves either a
whole result or nothing. stdout carries results only: its last line is a
one-line JSON summary. Logs and progress go to stderr.

Configuration: flags > MARQUEE_* environment > config file (--config, else
./marquee.yaml, else $XDG_CONFIG_HOME/marquee/config.yaml) > defaults. A
command's own flags are config keys "<command>.<flag>" (env
MARQUEE_<COMMAND>_<FLAG>). See 'marquee config show'.

`

func newRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "marquee",
		Short:         "Batch jobs of a release-catalog data platform",
		Long:          rootLong + job.ExitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return f.configure(cmd)
		},
	}
	root.SetVersionTemplate("marquee {{.Version}}\n")
	config.AddGlobalFlags(root.PersistentFlags())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return catalog.Usagef("%v", err)
	})
	root.AddGroup(&cobra.Group{ID: "jobs", Title: "Jobs:"}, &cobra.Group{ID: "ops", Title: "Operations:"})
	for _, c := range []*cobra.Command{
		newCrawlCmd(f, nil),
		newIngestPostersCmd(f, nil),
		newLoadMongoCmd(f, nil),
		newExportParquetCmd(f, nil),
		newBuildMartCmd(f, nil),
		newComputeSimilarCmd(f, nil),
		newReindexESCmd(f, nil),
	} {
		c.GroupID = "jobs"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{
		newRunCmd(f),
		newRunsCmd(f),
		newConfigCmd(f),
		newVersionCmd(f),
		newCompletionCmd(),
	} {
		c.GroupID = "ops"
		root.AddCommand(c)
	}
	root.AddCommand(newGenDocsCmd())
	root.SetHelpCommandGroupID("ops")
	root.SetCompletionCommandGroupID("ops")
	return root
}

// jobLong ends a job command's long help with the exit codes.
func jobLong(text string) string { return strings.TrimSpace(text) + "\n\n" + job.ExitCodesHelp }

func versionString() string {
	if commit != "" {
		return version + " (" + commit + ")"
	}
	return version
}
