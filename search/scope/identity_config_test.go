package scope_test

import (
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/parsers/linux"
	"github.com/kiseki-forensics/kiseki/search/internal/testcase"
	"github.com/kiseki-forensics/kiseki/search/vocab"
)

// A host's address stated by its own network configuration (a
// linux-config event, e.g. from /etc/network/interfaces inside its image)
// is part of its identity.
func TestHostIdentityFromConfig(t *testing.T) {
	evs := append(breach(), line(at(time.Hour), "db01", linux.ConfigSource, linux.HostAddressPrefix+dbAddr+" (interfaces: eth0)"))
	e := vocab.NewEnv(testcase.Build(t, evs))
	res := run(t, e, 1, attacker)
	for _, id := range res.HostIdentity {
		if id.Host == "db01" && id.Address == dbAddr {
			if id.Source != vocab.IdentityConfig || id.Ref == nil {
				t.Errorf("identity %+v", id)
			}
			return
		}
	}
	t.Errorf("db01's configured address %s not in the identity: %+v", dbAddr, res.HostIdentity)
}
