package engine

import (
	"time"
)

// Where a normalisation setting came from.
const (
	FromManifestEntry = "manifest entry" // the most specific bundle.yaml entry covering the file
	FromBundle        = "bundle"         // bundle.yaml's top-level setting
	FromDefault       = "default"        // nothing set: UTC
	FromSource        = "source"         // the format's own year, else the file's modification time
)

// Normalisation is what ingest applied to the times of one evidence item,
// recorded in its registry record so that what the report states is what
// was done (not a second reading of the manifest).
type Normalisation struct {
	// Entry is the path of the manifest entry that covered the file ("" when
	// none did).
	Entry      string `json:"manifest_entry,omitempty"`
	Zone       string `json:"zone"` // for times that carry no zone or offset
	ZoneSource string `json:"zone_source"`
	Year       int    `json:"year,omitempty"` // for times that carry no year
	YearSource string `json:"year_source"`
	// ClockOffset is how far the device's clock was off (bundle.yaml
	// clock_offset): event times were moved back by it.
	ClockOffset string `json:"clock_offset,omitempty"`
}

// normalisation decides the zone, year and clock offset for a file covered
// by manifest entry it: the one place ingest takes them from.
func (b *Bundle) normalisation(it BundleItem) (Normalisation, *time.Location, time.Duration, error) {
	n := Normalisation{Entry: it.Path, ClockOffset: it.ClockOffset}
	loc, err := b.location(it.Timezone)
	if err != nil {
		return n, nil, 0, err
	}
	n.Zone = loc.String()
	switch {
	case it.Timezone != "":
		n.ZoneSource = FromManifestEntry
	case b.Timezone != "":
		n.ZoneSource = FromBundle
	default:
		n.ZoneSource = FromDefault
	}
	switch {
	case it.Year != 0:
		n.Year, n.YearSource = it.Year, FromManifestEntry
	case b.Year != 0:
		n.Year, n.YearSource = b.Year, FromBundle
	default:
		n.YearSource = FromSource
	}
	var offset time.Duration
	if it.ClockOffset != "" {
		// LoadBundle has checked that it parses.
		offset, _ = time.ParseDuration(it.ClockOffset)
	}
	return n, loc, offset, nil
}

// ParserZoneSource is the zone source recorded on events (parsers.Input's
// ZoneSource): "manifest" when bundle.yaml set the zone, else "default".
func (n Normalisation) ParserZoneSource() string {
	if n.ZoneSource == FromDefault {
		return "default"
	}
	return "manifest"
}
