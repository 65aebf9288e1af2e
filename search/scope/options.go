package scope

import "time"

// Options tune a scope.
type Options struct {
	Depth     int           // expansion rounds (default 2)
	From, To  int64         // ns UTC, inclusive; 0 = open
	RefCap    int           // references kept per row (default 20; every event is counted)
	Slack     time.Duration // clock slack around a compromise time (default 60 s)
	Tolerance time.Duration // CDN/origin request matching tolerance (default 5 s)
	ScanPorts int           // distinct ports that make a scan (default 10)
	ScanHosts int           // distinct hosts that make a scan (default 10)
	GapMin    time.Duration // shortest log gap reported (default 10 min)
}

func (o *Options) defaults() {
	if o.Depth <= 0 {
		o.Depth = 2
	}
	if o.RefCap <= 0 {
		o.RefCap = 20
	}
	if o.Slack <= 0 {
		o.Slack = 60 * time.Second
	}
	if o.Tolerance <= 0 {
		o.Tolerance = 5 * time.Second
	}
	if o.ScanPorts <= 0 {
		o.ScanPorts = 10
	}
	if o.ScanHosts <= 0 {
		o.ScanHosts = 10
	}
	if o.GapMin <= 0 {
		o.GapMin = 10 * time.Minute
	}
}

// Thresholds of the rules, each with its reason.
const (
	// WriteLag is how long after a write request (an upload) a file it
	// wrote may be born: the handler writes within the request, and the
	// access log stamps the request's start or end; 10 s covers a slow
	// upload without reaching unrelated files.
	WriteLag = 10 * time.Second
	// ShellLag is how long after a request to the intruder's own file (a
	// web shell command) a file change counts as that command's effect.
	ShellLag = 10 * time.Second
	// ShellLagLate is how long a web shell command may take before it
	// writes (an editor session, a download, an archive run in the
	// background): a change this late is still the intruder's when no
	// baseline session explains it.
	ShellLagLate = 5 * time.Minute
	// SessionMax is how long a login session with no recorded end is taken
	// to last: an interactive session rarely outlives it, and a longer one
	// would attribute unrelated changes.
	SessionMax = 2 * time.Hour
	// BruteMin failed logins from one source with no success make a
	// brute-force look-alike (a user mistyping a password fails a few
	// times, a guessing tool hundreds).
	BruteMin = 10
	// IdentLag: an inbound 113/tcp connection this soon after the host's
	// own outbound connection to the same address is the ident (RFC 1413)
	// reply that mail and IRC servers send back, not an intrusion.
	IdentLag = 2 * time.Minute
	// IdentPort is the ident service's port.
	IdentPort = 113
	// ScanBucket is the interval in which a scan's distinct ports or hosts
	// are counted.
	ScanBucket = 10 * time.Minute
	// ExplainFilesMax caps the files whose creation is explained by a
	// query for the write request behind it (one query each); the rest are
	// counted in the host's unattributed changes.
	ExplainFilesMax = 50
	// GapExpectMin is how many lines a silent span must lack, against the
	// same log's rate at the same hours of other days, to be a gap: a night
	// lull expects few lines and is never one.
	GapExpectMin = 30
	// GapForwardedMin is how many requests a CDN must have forwarded into
	// a silent span of its origin's log to make it a gap: a single request
	// can go unlogged for benign reasons (a worker restarted between the
	// answer and the log write, rotation), three or more in one silence
	// were removed.
	GapForwardedMin = 3
	// SeenPerRuleMax caps the look-alike logins listed per host and rule (a
	// busy host's routine logins after the compromise are thousands of
	// kinds): the busiest are listed, the rest counted in one row.
	SeenPerRuleMax = 20
	// BusyDestPerDay is how many distinct outside addresses a day a host
	// may contact before the incident and still have a destination
	// baseline: a server talks to a fixed few (resolvers, time servers,
	// mirrors, its payment provider); a crawler, mail relay or proxy
	// reaches hundreds of new ones a day, and a new one proves nothing.
	BusyDestPerDay = 20
	// SeedTermsMax is how many seed addresses the mentions pass looks up as
	// ip: terms through the index; beyond it, a query of that many terms
	// costs more than deciding the address dictionaries (thousands of
	// addresses in a wide scope).
	SeedTermsMax = 64
	// GapRows caps the log-gap rows: the few most anomalous, ranked.
	GapRows = 5
	// GapMinDays is how many days a log must cover for its hour-of-day
	// baseline to mean anything.
	GapMinDays = 2
)
