package lake_test

import (
	"testing"

	"marquee/lake"
	"marquee/lake/storetest"
)

func TestLocalStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) lake.Store {
		s, err := lake.NewLocalStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
