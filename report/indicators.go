package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"os/exec"
	"sort"
	"strconv"
	"strings"

	"github.com/kiseki-forensics/kiseki/engine"
	"github.com/kiseki-forensics/kiseki/internal/eventview"
	"github.com/kiseki-forensics/kiseki/search/scope"
	"github.com/kiseki-forensics/kiseki/timeline"
)

// Indicator roles: what the value was in the intrusion. Only what scope
// attributes to the intruder becomes an indicator; look-alikes never do.
const (
	RoleAttacker  = "attacker-source" // an outside address the intruder connected from
	RoleC2        = "c2-destination"  // an outside address a compromised host connected to (C2 or exfiltration)
	RoleWebShell  = "web-shell-url"   // the URL path of a file the intruder planted and requested
	RoleMalicious = "malicious-file"  // a file the intruder created (with its content hash when the image has it)
	RoleAltered   = "altered-file"    // a file of the victim the intruder modified (a skimmer in a page script)
	DirSource     = "source"          // the indicator is where traffic came from
	DirDest       = "destination"     // the indicator is where traffic went
	dirNone       = ""                // files and URLs have no direction
	icatTool      = "icat"            // The Sleuth Kit's file content reader (scripts/apt-packages.txt: sleuthkit)
	maxHashedFile = int64(256 << 20)  // a file larger than this is not hashed for the report (a web shell or skimmer is small)
	hashNone      = "no file content" // the hash column when the image could not give the content
)

// Indicator is one value another organisation can look for, with its role
// in the intrusion, its direction and the scope row that attributes it.
type Indicator struct {
	Kind      string `json:"kind"` // ipv4-addr | ipv6-addr | url | file
	Value     string `json:"value"`
	Role      string `json:"role"`
	Direction string `json:"direction,omitempty"`
	Host      string `json:"host,omitempty"` // files: the host they are on
	URL       string `json:"url,omitempty"`  // files: the web path that reaches them
	SHA256    string `json:"sha256,omitempty"`
	Size      int64  `json:"size,omitempty"`
	HashNote  string `json:"hash_note,omitempty"` // why there is no hash
	Rule      string `json:"rule"`
	Why       string `json:"why"`
	First     string `json:"first_seen"`
	Last      string `json:"last_seen"`
	Ref       string `json:"ref,omitempty"`
}

// fromScope lists the intruder's indicators from a scope answer: its remote
// addresses with their direction, and its files (hashed from the disk
// images they were found in).
func fromScope(ctx context.Context, sr *scope.Result, reg *engine.Registry) []Indicator {
	var out []Indicator
	for _, ra := range sr.RemoteAddresses {
		a, err := netip.ParseAddr(ra.Address)
		if err != nil {
			continue
		}
		in := Indicator{Kind: addrKind(a), Value: a.String(), Role: RoleAttacker, Direction: DirSource, Rule: ra.Rule, Why: ra.Why,
			First: ra.FirstSeen, Last: ra.LastSeen, Ref: firstRef(ra.Refs)}
		if ra.Direction == "outbound" {
			in.Role, in.Direction = RoleC2, DirDest
		}
		out = append(out, in)
	}
	for _, f := range sr.Files {
		if f.Directory {
			continue
		}
		created := containsAny(f.Actions, "created", "create")
		role := RoleAltered
		if created {
			role = RoleMalicious
		} else if !containsAny(f.Actions, "modified", "modify") {
			continue // a file the intruder only read is not an indicator
		}
		in := Indicator{Kind: "file", Value: eventview.Sanitize(f.Path), Role: role, Host: eventview.Sanitize(f.Host), URL: eventview.Sanitize(f.URL),
			Rule: f.Rule, Why: f.Why, First: f.FirstSeen, Last: f.LastSeen, Ref: firstRef(f.Refs)}
		in.SHA256, in.Size, in.HashNote = hashFromImage(ctx, f.Refs, reg)
		out = append(out, in)
		if created && f.URL != "" && containsAny(f.Actions, "requested") {
			out = append(out, Indicator{Kind: "url", Value: eventview.Sanitize(f.URL), Role: RoleWebShell, Host: in.Host, Rule: f.Rule, Why: f.Why,
				First: f.FirstSeen, Last: f.LastSeen, Ref: in.Ref, SHA256: in.SHA256})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return roleOrder(out[i].Role) < roleOrder(out[j].Role) })
	return out
}

// roleOrder sorts indicators: addresses first (sources, destinations), then
// URLs and files.
func roleOrder(r string) int {
	for i, x := range []string{RoleAttacker, RoleC2, RoleWebShell, RoleMalicious, RoleAltered} {
		if r == x {
			return i
		}
	}
	return 99
}

func addrKind(a netip.Addr) string {
	if a.Is6() && !a.Is4In6() {
		return "ipv6-addr"
	}
	return "ipv4-addr"
}

func firstRef(refs []timeline.Ref) string {
	if len(refs) == 0 {
		return ""
	}
	return eventview.Sanitize(refs[0].String())
}

// hashFromImage reads a file's content from the disk image its file system
// event came from (by inode or MFT entry, with The Sleuth Kit's icat) and
// returns its SHA-256 and size, or a note saying why it could not.
func hashFromImage(ctx context.Context, refs []timeline.Ref, reg *engine.Registry) (string, int64, string) {
	if _, err := exec.LookPath(icatTool); err != nil {
		return "", 0, hashNone + ": " + icatTool + " (sleuthkit) is not installed"
	}
	note := hashNone + ": no file system reference"
	for _, rf := range refs {
		var addr int64
		switch {
		case rf.Inode != nil:
			addr = *rf.Inode
		case rf.MFT != nil:
			addr = *rf.MFT
		default:
			continue
		}
		it := reg.ByID(rf.Evidence)
		if it == nil {
			continue
		}
		sum, n, err := icatHash(ctx, it.Abs, addr)
		if err == nil {
			return sum, n, ""
		}
		note = hashNone + ": " + err.Error()
	}
	return "", 0, note
}

// icatHash hashes one file's content as icat reads it from the image.
func icatHash(ctx context.Context, image string, addr int64) (string, int64, error) {
	cmd := exec.CommandContext(ctx, icatTool, image, strconv.FormatInt(addr, 10))
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", 0, err
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, cerr := io.Copy(h, io.LimitReader(out, maxHashedFile+1))
	io.Copy(io.Discard, out)
	werr := cmd.Wait()
	switch {
	case cerr != nil:
		return "", 0, cerr
	case werr != nil:
		return "", 0, fmt.Errorf("icat %d: %v %s", addr, werr, strings.TrimSpace(errb.String()))
	case n > maxHashedFile:
		return "", 0, fmt.Errorf("larger than %d bytes", maxHashedFile)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// addresses returns the indicator addresses of the given roles.
func addresses(ins []Indicator, roles ...string) []string {
	var out []string
	for _, in := range ins {
		if (in.Kind == "ipv4-addr" || in.Kind == "ipv6-addr") && contains(roles, in.Role) && !contains(out, in.Value) {
			out = append(out, in.Value)
		}
	}
	sort.Strings(out)
	return out
}
