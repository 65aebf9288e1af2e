package report

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
)

// iodefEvents writes the intrusion's flows: the intruder's source addresses
// to the compromised hosts (category source and target), and apart, the
// outside addresses the compromised hosts connected to (C2 or exfiltration):
// those are destinations, never sources (ext-category c2-destination,
// NodeRole c2-server).
func (r *Report) iodefEvents(b *strings.Builder, esc func(string) string) {
	var src, c2 []Indicator
	for _, in := range r.Indicators.Items {
		switch in.Role {
		case RoleAttacker:
			src = append(src, in)
		case RoleC2:
			c2 = append(c2, in)
		}
	}
	b.WriteString("  <EventData>\n   <Description>" + esc(r.L("flow_intrusion")) + "</Description>\n   <Flow>\n")
	for _, in := range src {
		fmt.Fprintf(b, "    <System category=\"source\">\n     <Node><Address category=\"%s\">%s</Address></Node>\n     <Description>%s</Description>\n    </System>\n",
			in.Kind, esc(in.Value), esc(in.Role+": "+in.Why))
	}
	targets := r.Summary.Hosts
	if len(targets) == 0 {
		targets = []string{r.Case}
	}
	for _, h := range targets {
		fmt.Fprintf(b, "    <System category=\"target\">\n     <Node><DomainData><Name>%s</Name></DomainData></Node>\n    </System>\n", esc(h))
	}
	b.WriteString("   </Flow>\n  </EventData>\n")
	if len(c2) == 0 {
		return
	}
	b.WriteString("  <EventData>\n   <Description>" + esc(r.L("flow_c2")) + "</Description>\n   <Flow>\n")
	for _, in := range c2 {
		fmt.Fprintf(b, "    <System category=\"ext-value\" ext-category=\"c2-destination\">\n     <Node><Address category=\"%s\">%s</Address></Node>\n     <NodeRole category=\"c2-server\"/>\n     <Description>%s</Description>\n    </System>\n",
			in.Kind, esc(in.Value), esc(in.Role+": "+in.Why))
	}
	b.WriteString("   </Flow>\n  </EventData>\n")
}

// iodefIndicators writes IndicatorData: one Indicator per value with its
// role and direction in the description, a C2 address with NodeRole
// c2-server, files with their name, URL path and SHA-256 (xmldsig digest).
func (r *Report) iodefIndicators(b *strings.Builder, esc func(string) string) {
	if len(r.Indicators.Items) == 0 {
		return
	}
	b.WriteString("  <IndicatorData>\n")
	for i, in := range r.Indicators.Items {
		desc := in.Role
		if in.Direction != "" {
			desc += " (" + in.Direction + ")"
		}
		desc += ": " + in.Why
		fmt.Fprintf(b, "   <Indicator>\n    <IndicatorID name=\"kiseki\" version=\"1\">ind-%d</IndicatorID>\n    <Description>%s</Description>\n", i+1, esc(desc))
		if t := iodefTime(in.First); t != "" {
			fmt.Fprintf(b, "    <StartTime>%s</StartTime>\n", t)
		}
		if t := iodefTime(in.Last); t != "" {
			fmt.Fprintf(b, "    <EndTime>%s</EndTime>\n", t)
		}
		b.WriteString("    <Observable>\n")
		switch in.Kind {
		case "file", "url":
			b.WriteString("     <FileData>\n      <File>\n")
			fmt.Fprintf(b, "       <FileName>%s</FileName>\n", esc(path.Base(firstNonEmpty(in.Value, in.URL))))
			if in.Size > 0 {
				fmt.Fprintf(b, "       <FileSize>%d</FileSize>\n", in.Size)
			}
			u := in.URL
			if in.Kind == "url" {
				u = in.Value
			}
			if u != "" {
				fmt.Fprintf(b, "       <URL>%s</URL>\n", esc(u))
			}
			if raw, err := hex.DecodeString(in.SHA256); err == nil && len(raw) == 32 {
				fmt.Fprintf(b, "       <HashData scope=\"file-contents\">\n        <Hash>\n         <ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\n         <ds:DigestValue>%s</ds:DigestValue>\n        </Hash>\n       </HashData>\n",
					base64.StdEncoding.EncodeToString(raw))
			}
			b.WriteString("      </File>\n     </FileData>\n")
		default:
			fmt.Fprintf(b, "     <Address category=\"%s\">%s</Address>\n", in.Kind, esc(in.Value))
		}
		b.WriteString("    </Observable>\n")
		if in.Role == RoleC2 {
			b.WriteString("    <NodeRole category=\"c2-server\"/>\n")
		}
		b.WriteString("   </Indicator>\n")
	}
	b.WriteString("  </IndicatorData>\n")
}

// iodefTime is an RFC 3339 time as IODEF's xs:dateTime ("" when empty).
func iodefTime(s string) string {
	if s == "" {
		return ""
	}
	return stixTime(s)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
