package all_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/parsers"
	"github.com/kiseki-forensics/kiseki/parsers/linux"
)

const linuxPlaso = "linux/log2timeline-plaso/test_data/"

// TestDetect: each sample goes to its own format, and none of them claims
// the others' files or a syslog file, with every format registered.
func TestDetectLinux(t *testing.T) {
	for rel, want := range map[string]string{
		linuxPlaso + "selinux.log":                                   linux.AuditName,
		linuxPlaso + "audit_enriched.log":                            linux.AuditName,
		"linux/crowdsecurity-hub/.tests/auditd-logs/auditd-logs.log": linux.AuditName,
		linuxPlaso + "dpkg.log":                                      linux.DpkgName,
		linuxPlaso + "apt_history.log":                               linux.AptName,
		linuxPlaso + "docker/containers/e7d0b7ea5ccf08366e2b0c8afa2318674e8aefe802315378125d2bb83fe3110c/container-json.log": linux.DockerName,
		"linux/crowdsecurity-hub/.tests/docker-logs/docker-logs.log":                                                         linux.DockerName,
		"syslog/plaso/syslog": "syslog",
	} {
		b, err := os.ReadFile(corpus.Path(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		head := b[:min(len(b), parsers.HeadSize)]
		c := parsers.Detect(filepath.Base(rel), head)
		if len(c) == 0 || c[0].Format.Name != want {
			t.Errorf("%s: detected %v, want %s", rel, c, want)
		}
	}
}
