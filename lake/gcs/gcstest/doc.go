// Package gcstest gives tests a gcs.Store on a fresh bucket of the
// fake-gcs-server that scripts/services.sh starts. Each call makes a unique
// bucket and removes it (with its objects) when the test ends.
//
// It reaches the emulator through STORAGE_EMULATOR_HOST (set by
// testenv.GCSHost from .services/env); a missing emulator fails the test
// with the command that starts it.
package gcstest
