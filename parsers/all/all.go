// Package all registers every evidence format: import it for its side effects.
package all

// One blank import per format package; keep them sorted.
import (
	_ "github.com/kiseki-forensics/kiseki/parsers/accesslog"
	_ "github.com/kiseki-forensics/kiseki/parsers/authlog"
	_ "github.com/kiseki-forensics/kiseki/parsers/awslb"
	_ "github.com/kiseki-forensics/kiseki/parsers/bashhistory"
	_ "github.com/kiseki-forensics/kiseki/parsers/cdnjson"
	_ "github.com/kiseki-forensics/kiseki/parsers/cef"
	_ "github.com/kiseki-forensics/kiseki/parsers/cisco"
	_ "github.com/kiseki-forensics/kiseki/parsers/disk"
	_ "github.com/kiseki-forensics/kiseki/parsers/ext4"
	_ "github.com/kiseki-forensics/kiseki/parsers/journald"
	_ "github.com/kiseki-forensics/kiseki/parsers/juniper"
	_ "github.com/kiseki-forensics/kiseki/parsers/linux"
	_ "github.com/kiseki-forensics/kiseki/parsers/logformat"
	_ "github.com/kiseki-forensics/kiseki/parsers/memory"
	_ "github.com/kiseki-forensics/kiseki/parsers/netfilter"
	_ "github.com/kiseki-forensics/kiseki/parsers/ntfs"
	_ "github.com/kiseki-forensics/kiseki/parsers/paloalto"
	_ "github.com/kiseki-forensics/kiseki/parsers/syslog"
	_ "github.com/kiseki-forensics/kiseki/parsers/tooljson"
	_ "github.com/kiseki-forensics/kiseki/parsers/utmp"
	_ "github.com/kiseki-forensics/kiseki/parsers/velociraptor"
	_ "github.com/kiseki-forensics/kiseki/parsers/w3c"
)
