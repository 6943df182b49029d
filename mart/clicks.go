package mart

import (
	"context"
	"fmt"

	"marquee/internal/catalog"
	"marquee/lake"
)

// ItemStatsClicks reads click counts from the latest item_stats partition at
// or before Date (item_stats is cumulative), for reindex-es's click_count.
type ItemStatsClicks struct {
	Store lake.Store
	Date  catalog.Date
}

// ClickCounts returns clicks per item id; with no item_stats partition yet
// it returns catalog.ErrNotFound (reindex-es then indexes click_count 0).
func (c ItemStatsClicks) ClickCounts(ctx context.Context) (map[string]int64, error) {
	parts, err := lake.ListPartitions(ctx, c.Store, lake.ZoneMart+"/"+ItemStats, catalog.Date{}, c.Date)
	if err != nil {
		return nil, fmt.Errorf("item_stats: %w", err)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("item_stats on or before %s: %w", c.Date, catalog.ErrNotFound)
	}
	dir := MartPartition(ItemStats, parts[len(parts)-1])
	rows, err := readParquetRows[itemStatPq](ctx, c.Store, dir)
	if err != nil {
		return nil, fmt.Errorf("item_stats %s: %w", dir, err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.ItemID] = r.Clicks
	}
	return out, nil
}
