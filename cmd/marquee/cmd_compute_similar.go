package main

import (
	"context"

	"github.com/spf13/cobra"
)

// computeSimilarOptions are the flags of `marquee compute-similar`.
type computeSimilarOptions struct {
	K      int
	Source string
	Shard  string
}

func newComputeSimilarCmd(f *factory, runF func(context.Context, *computeSimilarOptions) error) *cobra.Command {
	o := &computeSimilarOptions{}
	cmd := &cobra.Command{
		Use:   "compute-similar",
		Short: "Compute TF-IDF top-k similar releases",
		Long: jobLong(`For every release, compute the k most similar releases by TF-IDF cosine
over title, genres, cast, artists, venue, description and tags (exact, Korean
aware), and write them to MongoDB similar and mart/similar/dt=D.`),
		Example: `  marquee compute-similar --k 10
  marquee compute-similar --source releases.jsonl --k 3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runComputeSimilar(cmd.Context(), f, o)
		},
	}
	cmd.Flags().IntVar(&o.K, "k", 10, "neighbours per release")
	cmd.Flags().StringVar(&o.Source, "source", "mongo", "releases from: mongo|lake|FILE.jsonl")
	cmd.Flags().StringVar(&o.Shard, "shard", "", "compute shard i of n (i/n) of the releases")
	return cmd
}

func runComputeSimilar(_ context.Context, _ *factory, _ *computeSimilarOptions) error {
	return notImplemented("compute-similar")
}
