// Package all registers every evidence format: import it for its side effects.
package all

// One blank import per format package; keep them sorted.
import (
	_ "github.com/kiseki-forensics/kiseki/parsers/accesslog"
	_ "github.com/kiseki-forensics/kiseki/parsers/disk"
	_ "github.com/kiseki-forensics/kiseki/parsers/ntfs"
	_ "github.com/kiseki-forensics/kiseki/parsers/syslog"
)
