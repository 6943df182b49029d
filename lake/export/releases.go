package export

import (
	"context"

	"marquee/internal/job"
)

func runReleases(ctx context.Context, env *job.Env, opts Options, deps Deps) (*job.Summary, error) {
	return nil, nil
}
