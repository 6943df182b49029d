package fetch

import "time"

func mustTime() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) }
