package stats

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"sort"
	"testing"
)

// writeMMDB builds a MaxMind DB (format 2.0, record size 24, IPv6 tree with
// IPv4 at ::/96) mapping each network to {"country": {"iso_code": CC}},
// written here from the format's specification
// (https://maxmind.github.io/MaxMind-DB/) so that the country view is
// tested against a database whose truth the test knows.
func writeMMDB(t *testing.T, networks map[string]string) []byte {
	t.Helper()
	type node struct {
		kids [2]*node
		leaf [2]int // data offset + 1 per side; 0 none
	}
	root := &node{}
	var data bytes.Buffer
	offsets := map[string]int{}
	prefixes := make([]string, 0, len(networks))
	for p := range networks {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, ps := range prefixes {
		cc := networks[ps]
		p := netip.MustParsePrefix(ps)
		bits, addr := p.Bits(), p.Addr()
		if addr.Is4() {
			addr, bits = netip.AddrFrom16(addr.As16()), bits+96
			a := addr.As16()
			a[10], a[11] = 0, 0 // ::a.b.c.d, not ::ffff:a.b.c.d
			addr = netip.AddrFrom16(a)
		}
		off, ok := offsets[cc]
		if !ok {
			off = data.Len()
			offsets[cc] = off
			mmdbMap(&data, 1)
			mmdbString(&data, "country")
			mmdbMap(&data, 1)
			mmdbString(&data, "iso_code")
			mmdbString(&data, cc)
		}
		a := addr.As16()
		n := root
		for i := 0; i < bits; i++ {
			b := (a[i/8] >> (7 - i%8)) & 1
			if i == bits-1 {
				n.leaf[b] = off + 1
				break
			}
			if n.kids[b] == nil {
				n.kids[b] = &node{}
			}
			n = n.kids[b]
		}
	}
	// Number the nodes breadth first, then write their records.
	var order []*node
	index := map[*node]int{}
	for q := []*node{root}; len(q) > 0; q = q[1:] {
		index[q[0]] = len(order)
		order = append(order, q[0])
		for _, k := range q[0].kids {
			if k != nil {
				q = append(q, k)
			}
		}
	}
	count := len(order)
	var out bytes.Buffer
	for _, n := range order {
		for side := 0; side < 2; side++ {
			v := count // no data
			switch {
			case n.kids[side] != nil:
				v = index[n.kids[side]]
			case n.leaf[side] > 0:
				v = count + 16 + n.leaf[side] - 1
			}
			out.Write([]byte{byte(v >> 16), byte(v >> 8), byte(v)})
		}
	}
	out.Write(make([]byte, 16)) // data section separator
	out.Write(data.Bytes())
	out.WriteString("\xab\xcd\xefMaxMind.com")
	mmdbMap(&out, 9)
	mmdbString(&out, "node_count")
	mmdbUint(&out, 6, uint64(count))
	mmdbString(&out, "record_size")
	mmdbUint(&out, 5, 24)
	mmdbString(&out, "ip_version")
	mmdbUint(&out, 5, 6)
	mmdbString(&out, "database_type")
	mmdbString(&out, "Kiseki-Test-Country")
	mmdbString(&out, "languages")
	out.Write([]byte{0x01, 0x04}) // array (extended type 11) of 1
	mmdbString(&out, "en")
	mmdbString(&out, "binary_format_major_version")
	mmdbUint(&out, 5, 2)
	mmdbString(&out, "binary_format_minor_version")
	mmdbUint(&out, 5, 0)
	mmdbString(&out, "build_epoch")
	out.Write([]byte{0x08, 0x02}) // uint64 (extended type 9), 8 bytes
	binary.Write(&out, binary.BigEndian, uint64(1767225600))
	mmdbString(&out, "description")
	mmdbMap(&out, 1)
	mmdbString(&out, "en")
	mmdbString(&out, "test database")
	return out.Bytes()
}

// mmdbString writes a UTF-8 string (type 2) shorter than 29 bytes.
func mmdbString(b *bytes.Buffer, s string) {
	b.WriteByte(2<<5 | byte(len(s)))
	b.WriteString(s)
}

// mmdbMap writes a map header (type 7) of n < 29 pairs.
func mmdbMap(b *bytes.Buffer, n int) { b.WriteByte(7<<5 | byte(n)) }

// mmdbUint writes an unsigned integer of type 5 (uint16) or 6 (uint32) in
// as few bytes as it needs.
func mmdbUint(b *bytes.Buffer, typ byte, v uint64) {
	var be []byte
	for x := v; x > 0; x >>= 8 {
		be = append([]byte{byte(x)}, be...)
	}
	b.WriteByte(typ<<5 | byte(len(be)))
	b.Write(be)
}
