package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"marquee/internal/catalog"
	"marquee/internal/job"
	"marquee/lake"
)

func newConfigCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect the effective configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration, secrets redacted",
		Long: jobLong(`Print the effective configuration after layering flags, MARQUEE_* env,
the config file and defaults. Passwords, API keys and credentials are
redacted.`),
		Example: "  marquee config show\n  MARQUEE_MONGO_URI=mongodb://u:p@db:27017 marquee config show",
		Args:    cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(f.stdout, 0, 4, 2, ' ', 0)
			for _, kv := range f.cfg.Redacted() {
				fmt.Fprintf(tw, "%s\t%s\n", kv[0], kv[1])
			}
			return tw.Flush()
		},
	})
	return cmd
}

func newVersionCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(f.stdout, "marquee %s\n", versionString())
			return err
		},
	}
}

func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "completion bash|zsh|fish",
		Short:             "Print a shell completion script",
		Example:           "  source <(marquee completion bash)",
		Args:              cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs:         []string{"bash", "zsh", "fish"},
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return cmd.Root().GenBashCompletionV2(out, true)
			case "zsh":
				return cmd.Root().GenZshCompletion(out)
			default:
				return cmd.Root().GenFishCompletion(out, true)
			}
		},
	}
}

func newGenDocsCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "gen-docs DIR",
		Short:             "Write the command reference as Markdown into DIR",
		Hidden:            true,
		Args:              cobra.ExactArgs(1),
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return err
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			return doc.GenMarkdownTree(root, args[0])
		},
	}
}

func newRunsCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{Use: "runs", Short: "List and show recorded runs"}
	var jobName string
	list := &cobra.Command{
		Use:     "list",
		Short:   "List recorded runs, newest first",
		Example: "  marquee runs list\n  marquee runs list --job load-mongo --date 2026-11-26",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var d catalog.Date
			if cmd.Flags().Changed("date") || cmd.Root().PersistentFlags().Changed("date") {
				d = f.cfg.Dates[0]
			}
			runs, err := f.listRuns(cmd.Context(), jobName, d)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(f.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN ID\tJOB\tDATE\tSTATUS\tREAD\tWRITTEN\tQUARANTINED\tDURATION")
			for _, r := range runs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.1fs\n", r.RunID, r.Job, r.Date, r.Status, r.Read, r.Written, r.Quarantined, r.DurationS)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&jobName, "job", "", "only runs of this job")
	show := &cobra.Command{
		Use:   "show RUN_ID",
		Short: "Print one recorded run as JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			runs, err := f.listRuns(cmd.Context(), "", catalog.Date{})
			if err != nil {
				return err
			}
			for _, r := range runs {
				if r.RunID == args[0] {
					enc := json.NewEncoder(f.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(r)
				}
			}
			return fmt.Errorf("run %s: %w", args[0], catalog.ErrNotFound)
		},
	}
	cmd.AddCommand(list, show)
	return cmd
}

func (f *factory) listRuns(ctx context.Context, jobName string, d catalog.Date) ([]*job.Summary, error) {
	s, err := f.Lake(ctx)
	if err != nil {
		return nil, err
	}
	return lake.ListRuns(ctx, s, jobName, d)
}
