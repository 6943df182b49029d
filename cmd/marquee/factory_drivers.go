package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/api/option"

	"marquee/internal/catalog"
	"marquee/internal/config"
	"marquee/internal/job"
	"marquee/internal/mongo"
	"marquee/lake"
	"marquee/lake/gcs"
)

// Mongo returns the MongoDB client from --mongo-uri, connected and pinged
// once per process. No URI configured is a usage error.
func (f *factory) Mongo(ctx context.Context) (*mongo.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mongo != nil {
		return f.mongo, nil
	}
	if f.cfg.MongoURI == "" {
		return nil, fmt.Errorf("%w: %w", catalog.ErrUsage, config.ErrNoMongo)
	}
	c, err := mongo.Connect(ctx, f.cfg.MongoURI, mongo.WithAppName("marquee"))
	if err != nil {
		return nil, fmt.Errorf("mongodb %s: %w", config.RedactURI(f.cfg.MongoURI), err)
	}
	if err := job.Retry(ctx, job.DefaultBackoff, func(ctx context.Context) error { return c.Ping(ctx) }); err != nil {
		_ = c.Close(ctx)
		return nil, fmt.Errorf("mongodb %s: %w", config.RedactURI(f.cfg.MongoURI), err)
	}
	f.mongo = c
	f.closers = append(f.closers, c.Close)
	return c, nil
}

// openGCSLake opens a gs://bucket/prefix lake and checks the bucket answers.
// Credentials: gcs-credentials-file, else Application Default Credentials;
// STORAGE_EMULATOR_HOST points the client at an emulator.
func openGCSLake(ctx context.Context, f *factory, uri string) (lake.Store, error) {
	var opts []option.ClientOption
	if f.cfg.GCSCredentials != "" {
		opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, f.cfg.GCSCredentials))
	}
	s, err := gcs.OpenURI(ctx, uri, opts...)
	if err != nil {
		return nil, err
	}
	if err := job.Retry(ctx, job.DefaultBackoff, s.Ping); err != nil {
		_ = s.Close()
		return nil, err
	}
	f.closers = append(f.closers, func(context.Context) error { return s.Close() })
	return s, nil
}

// extraRecorders are run-history sinks besides the lake: MongoDB `runs` when
// MongoDB is configured. The client is dialled when the first run is
// recorded, so commands that never touch MongoDB pay nothing up front, and a
// MongoDB that is down costs a warning, never the run.
func (f *factory) extraRecorders(context.Context) []job.Recorder {
	if f.cfg.MongoURI == "" {
		return nil
	}
	return []job.Recorder{lazyRunStore{f}}
}

type lazyRunStore struct{ f *factory }

func (l lazyRunStore) RecordRun(ctx context.Context, s *job.Summary) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := l.f.Mongo(ctx)
	if err != nil {
		return err
	}
	return mongo.NewRunStore(c, l.f.cfg.MongoDB, l.f.now).RecordRun(ctx, s)
}

// locker is the run lock from the "lock" config key: flock files under
// data-dir, or MongoDB leases for runs spread over machines.
func (f *factory) locker(ctx context.Context) job.Locker {
	if f.cfg.Lock == "mongo" {
		return mongoLocker{f}
	}
	return job.FileLocker{Dir: filepath.Join(f.cfg.DataDir, "locks")}
}

type mongoLocker struct{ f *factory }

func (m mongoLocker) Lock(ctx context.Context, jobName string, d catalog.Date) (func(), error) {
	c, err := m.f.Mongo(ctx)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s/%d", host, os.Getpid())
	return mongo.NewLocker(c, m.f.cfg.MongoDB, owner, 10*time.Minute, m.f.now).Lock(ctx, jobName, d)
}
