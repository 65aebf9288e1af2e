package parsers

import (
	"sort"
	"sync/atomic"

	"github.com/kiseki-forensics/kiseki/timeline"
)

// Class is what kind of record a source's events are. Analyses (scope,
// leaks) decide what a row means by its source's class, so every source a
// parser emits declares one in its Format.Sources: this registry is the one
// place that knows it.
type Class string

// The source classes.
const (
	// ClassWebOrigin: a web server's own access log (the host that served
	// the request is the log's host).
	ClassWebOrigin Class = "web-origin"
	// ClassCDN: a CDN's or load balancer's access log; the requests reached
	// the origin behind it, not the CDN's own host.
	ClassCDN Class = "cdn"
	// ClassFirewall: a firewall, router or network security device that
	// records other hosts' traffic; its own host is an observer, never a
	// host the intrusion touched.
	ClassFirewall Class = "firewall"
	// ClassFS: file system metadata (inodes, MFT entries, journals).
	ClassFS Class = "filesystem"
	// ClassLogin: login records (auth logs, utmp/wtmp/btmp).
	ClassLogin Class = "login"
	// ClassSystem: a host's own system log (syslog lines, journald).
	ClassSystem Class = "system-log"
	// ClassShell: commands typed on a host (shell histories).
	ClassShell Class = "shell"
	// ClassHostArtifact: state a host's operating system keeps about its
	// own use (registry keys, prefetch, shortcuts, recycle bin records):
	// evidence of execution and file use, not a log of events.
	ClassHostArtifact Class = "host-artifact"
	// ClassMemory: artifacts carved from memory.
	ClassMemory Class = "memory"
	// ClassTool: records another forensic tool wrote (plaso events,
	// Velociraptor artifact rows) that mix every kind of record under one
	// source, so no single class above describes them.
	ClassTool Class = "tool-output"
	// ClassRaw: bytes no parser understood, kept as they are.
	ClassRaw Class = "raw"
)

// Source is one value of the events' source column with its class.
type Source struct {
	Name  string
	Class Class
}

// builtinSources are the sources no format owns.
var builtinSources = []Source{{timeline.SourceRaw, ClassRaw}}

// ClassOf returns the class of a source ("" when no format declares it).
// It takes no lock (analyses call it per row): registration replaces the
// map it reads.
func ClassOf(source string) Class {
	return (*classSnap.Load())[source]
}

// classSnap is a read-only copy of classes, replaced on every declaration.
var classSnap atomic.Pointer[map[string]Class]

func init() { snapshotClasses() }

func snapshotClasses() {
	m := make(map[string]Class, len(classes))
	for k, v := range classes {
		m[k] = v
	}
	classSnap.Store(&m)
}

// SourcesOf lists the sources of a class, sorted.
func SourcesOf(c Class) []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for s, k := range classes {
		if k == c {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// AllSources lists every declared source with its class, sorted by name.
func AllSources() []Source {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Source, 0, len(classes))
	for s, k := range classes {
		out = append(out, Source{s, k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// declare records sources (the caller holds mu); a source declared twice with two
// different classes is a programming error.
func declare(sources []Source) {
	for _, s := range sources {
		if old, ok := classes[s.Name]; ok && old != s.Class {
			panic("parsers: source " + s.Name + " declared as " + string(old) + " and " + string(s.Class))
		}
		classes[s.Name] = s.Class
	}
	snapshotClasses()
}

var classes = func() map[string]Class {
	m := map[string]Class{}
	for _, s := range builtinSources {
		m[s.Name] = s.Class
	}
	return m
}()
