package ext4

import "github.com/kiseki-forensics/kiseki/timeline"

// Timestomp rules (docs/ext4.md "Timestomp evidence"). A rule that fires
// puts its tag on every event of the inode; the mtime and/or atime event
// whose own time the rule contradicts also gets TagUntrusted. ctime and
// crtime cannot be set from user space (utimensat sets mtime and atime and
// moves ctime to "now"), so they are the times the rules trust.
const (
	// The mtime (atime) is earlier than crtime and the inode was changed
	// more than changedAfterBirth after its birth.
	TagMtimeBeforeCrtime = "timestomp:mtime-before-crtime"
	TagAtimeBeforeCrtime = "timestomp:atime-before-crtime"
	// The mtime and/or atime is a whole second while ctime and crtime
	// have nanoseconds and most siblings' mtimes have nanoseconds.
	TagWholeSecond = "timestomp:whole-second"
	// A committed journal copy of the same file (same i_generation, file
	// type and size) has a later mtime than the inode now.
	TagMtimeBackwards = "timestomp:mtime-backwards"
	// On the mtime/atime events whose time a rule contradicts.
	TagUntrusted = timeline.TagTimestompUntrusted
)

// Thresholds of the rules.
const (
	// changedAfterBirth: how much later than crtime the ctime must be for
	// an mtime/atime before crtime to count. Archive extraction (tar -x,
	// dpkg, cp -p, rsync -t) sets an mtime older than the new inode's
	// crtime legitimately, but right after creating and writing it, so its
	// ctime (moved by the utimensat) is within a second of crtime; a
	// set-back done later moves ctime further.
	changedAfterBirthSec = 1
	// minSiblings: the fewest other live names in a directory for its
	// mtimes to say what is normal there; with fewer, one file decides.
	minSiblings = 3
	// siblingNsPercent: the share of siblings whose mtime has nanoseconds
	// for a whole-second mtime to stand out. Files written by programs
	// have nanosecond mtimes; a directory filled from an archive has
	// whole-second ones, and there nothing fires.
	siblingNsPercent = 80
)

// Untrusted times of an inode (bits of stompVerdict.untrusted).
const (
	untrustedM = 1 << iota
	untrustedA
)

// Rule bits, in the order their tags are listed.
const (
	ruleMtimeBeforeCrtime = 1 << iota
	ruleAtimeBeforeCrtime
	ruleWholeSecond
	ruleMtimeBackwards
	nRuleSets = 1 << 4
)

// ruleTags holds the tag list of every combination of rules, so that
// judging an inode allocates nothing.
var ruleTags = func() (t [nRuleSets]string) {
	names := [...]string{TagMtimeBeforeCrtime, TagAtimeBeforeCrtime, TagWholeSecond, TagMtimeBackwards}
	for set := 1; set < nRuleSets; set++ {
		for i, n := range names {
			if set&(1<<i) == 0 {
				continue
			}
			if t[set] != "" {
				t[set] += ","
			}
			t[set] += n
		}
	}
	return t
}()

// stompVerdict is what the rules say about one inode.
type stompVerdict struct {
	tags      string // rule tags, "" when none fired
	untrusted uint8  // untrustedM | untrustedA
}

// before reports whether a is earlier than b.
func before(a, b timestamp) bool {
	return a.Sec < b.Sec || a.Sec == b.Sec && a.Nsec < b.Nsec
}

// judge applies the rules to inode ino (decoded in in) whose names are
// mine. Rules 1 and 2 need crtime; rule 2 needs the nanosecond fields.
// Rule 1 is not applied to deleted inodes (unallocated, with a dtime): the
// unlink moved their ctime, which then says nothing about when mtime and
// atime were set (every extracted file deleted later would fire).
func (p *parser) judge(ino uint32, in *inode, mine []nameRec) stompVerdict {
	var rules, bad uint8
	deleted := in.Dtime != 0 && !p.f.alloc.has(ino)
	if in.HasCr && !in.Crtime.zero() {
		late := timestamp{Sec: in.Crtime.Sec + changedAfterBirthSec, Nsec: in.Crtime.Nsec}
		if !deleted && before(late, in.Ctime) {
			if !in.Mtime.zero() && before(in.Mtime, in.Crtime) {
				rules |= ruleMtimeBeforeCrtime
				bad |= untrustedM
			}
			if !in.Atime.zero() && before(in.Atime, in.Crtime) {
				rules |= ruleAtimeBeforeCrtime
				bad |= untrustedA
			}
		}
		if in.Ctime.Nsec != 0 && in.Crtime.Nsec != 0 {
			var whole uint8
			if !in.Mtime.zero() && in.Mtime.Nsec == 0 {
				whole |= untrustedM
			}
			if !in.Atime.zero() && in.Atime.Nsec == 0 {
				whole |= untrustedA
			}
			if whole != 0 && p.nsSiblings(ino, mine) {
				rules |= ruleWholeSecond
				bad |= whole
			}
		}
	}
	if p.backwards[ino] {
		rules |= ruleMtimeBackwards
		bad |= untrustedM
	}
	return stompVerdict{tags: ruleTags[rules], untrusted: bad}
}

// siblingCount is, for one listed directory, how many live names of
// allocated inodes it holds and how many of those inodes have an mtime with
// nanoseconds. It is counted while the walk lists the directory.
type siblingCount struct {
	total, ns uint32
}

// nsSiblings reports whether, in a directory holding a live name of ino,
// at least minSiblings other names are listed and at least siblingNsPercent
// of them have nanosecond mtimes.
func (p *parser) nsSiblings(ino uint32, mine []nameRec) bool {
	w := p.w
	self, selfNs := uint32(0), uint32(0)
	if p.f.alloc.has(ino) {
		self = 1
		if p.f.mtimeNs.has(ino) {
			selfNs = 1
		}
	}
	for i := range mine {
		n := &mine[i]
		if n.Deleted || int(n.Dir) >= len(w.sib) {
			continue
		}
		s := w.sib[n.Dir]
		if s.total < self || s.ns < selfNs {
			continue // the name was not counted (a deleted directory's)
		}
		others, ns := uint64(s.total-self), uint64(s.ns-selfNs)
		if others >= minSiblings && ns*100 >= siblingNsPercent*others {
			return true
		}
	}
	return false
}

// countSiblings records the sibling counts of the directory listed under
// paths[pathIdx] from its de-duplicated entries.
func (w *walker) countSiblings(pathIdx int32, entries []nameRec) {
	var s siblingCount
	for i := range entries {
		n := &entries[i]
		if n.Deleted || n.Ino == 0 || !w.f.alloc.has(n.Ino) {
			continue
		}
		s.total++
		if w.f.mtimeNs.has(n.Ino) {
			s.ns++
		}
	}
	for int(pathIdx) >= len(w.sib) {
		w.sib = append(w.sib, siblingCount{})
	}
	w.sib[pathIdx] = s
}

// hasMtimeNs reports whether a raw inode's mtime has a nonzero, valid
// nanosecond part (i_mtime_extra present and bits 2-31 nonzero).
func hasMtimeNs(raw []byte) bool {
	if len(raw) < 0x8C || 128+int(le.Uint16(raw[0x80:])) < 0x8C {
		return false
	}
	ns := le.Uint32(raw[0x88:]) >> 2
	return ns != 0 && ns <= 999999999
}
