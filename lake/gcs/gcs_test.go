package gcs_test

import (
	"testing"

	"marquee/lake"
	"marquee/lake/gcs/gcstest"
	"marquee/lake/storetest"
)

func TestGCSStoreConformance(t *testing.T) {
	t.Run("bucket root", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) lake.Store { return gcstest.NewStore(t, "") })
	})
	t.Run("under a prefix", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) lake.Store { return gcstest.NewStore(t, "lake/v1") })
	})
}
