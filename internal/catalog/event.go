package catalog

import "time"

// Event types of the activity log.
const (
	EventView   = "view"
	EventClick  = "click"
	EventSearch = "search"
	EventLike   = "like"
	EventBook   = "book"
)

// EventTypes lists every valid event type.
var EventTypes = []string{EventView, EventClick, EventSearch, EventLike, EventBook}

// Event is one activity-log record (DESIGN.md §5a). ItemID is empty for
// searches; Keyword and ResultCount are set only for searches.
type Event struct {
	TS          time.Time `json:"ts"`
	UserID      int64     `json:"user_id"`
	AgeGroup    string    `json:"age_group"`
	Gender      string    `json:"gender"`
	Event       string    `json:"event"`
	ItemID      string    `json:"item_id,omitempty"`
	Keyword     string    `json:"keyword,omitempty"`
	ResultCount int32     `json:"result_count,omitempty"`
	SessionID   string    `json:"session_id"`
	Platform    string    `json:"platform"`
}
