package stats

import (
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// GeoIP is a MaxMind-format country database (GeoLite2-Country,
// GeoIP2-Country or -City, DB-IP's lite databases in MMDB form...).
type GeoIP struct {
	path string
	db   *maxminddb.Reader
}

// OpenGeoIP opens the database at path.
func OpenGeoIP(path string) (*GeoIP, error) {
	db, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geoip database %s: %w", path, err)
	}
	return &GeoIP{path: path, db: db}, nil
}

// Close releases the database.
func (g *GeoIP) Close() error { return g.db.Close() }

// countryRecord is the part of a record the country view reads: the
// country, else the registered country (anonymous proxies, satellite
// providers have only that).
type countryRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	Registered struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
}

// Country returns the ISO 3166 code of addr's country, "" when the
// database has none.
func (g *GeoIP) Country(addr netip.Addr) (string, error) {
	var rec countryRecord
	if err := g.db.Lookup(addr).Decode(&rec); err != nil {
		return "", fmt.Errorf("geoip database %s: %s: %w", g.path, addr, err)
	}
	if rec.Country.ISOCode != "" {
		return rec.Country.ISOCode, nil
	}
	return rec.Registered.ISOCode, nil
}
