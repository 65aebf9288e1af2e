package report

import (
	"fmt"
	"path"
	"strings"
)

// stixIndicators returns the STIX objects of the intruder's indicators, the
// observables an observed-data refers to, and the indicator ids. Direction
// is in the pattern and the traffic object: an attacker address is a
// network-traffic src_ref, a C2 address a dst_ref (and an infrastructure of
// type command-and-control the indicator indicates); a planted file is a
// file with its SHA-256 and a malware (web shell) whose sample it is.
func (r *Report) stixIndicators(idt, ts, first string) (objs []map[string]any, obs, inds []string) {
	for _, in := range r.Indicators.Items {
		valid := first
		if in.First != "" {
			valid = stixTime(in.First)
		}
		ind := map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": r.stixID("indicator", in.Role+" "+in.Host+" "+in.Value), "created": ts, "modified": ts,
			"created_by_ref": idt, "indicator_types": []string{"malicious-activity"}, "pattern_type": "stix", "valid_from": valid,
			"description": in.Role + directionText(in.Direction) + ": " + in.Why,
			"labels":      []string{in.Role},
		}
		switch in.Kind {
		case "ipv4-addr", "ipv6-addr":
			sco := r.stixID(in.Kind, in.Value)
			traffic := map[string]any{"type": "network-traffic", "spec_version": "2.1", "protocols": []string{"ipv4"}}
			if in.Kind == "ipv6-addr" {
				traffic["protocols"] = []string{"ipv6"}
			}
			ref := "src_ref"
			ind["name"] = "Attacker source address " + in.Value
			if in.Role == RoleC2 {
				ref = "dst_ref"
				ind["name"] = "C2 destination address " + in.Value + " (a compromised host connected to it)"
			}
			traffic[ref] = sco
			traffic["id"] = r.stixID("network-traffic", ref+" "+in.Value)
			ind["pattern"] = fmt.Sprintf("[network-traffic:%s.type = '%s' AND network-traffic:%s.value = '%s']", ref, in.Kind, ref, stixQuote(in.Value))
			objs = append(objs, map[string]any{"type": in.Kind, "spec_version": "2.1", "id": sco, "value": in.Value}, traffic)
			obs = append(obs, sco, traffic["id"].(string))
			if in.Role == RoleC2 {
				infra := r.stixID("infrastructure", in.Value)
				objs = append(objs, map[string]any{"type": "infrastructure", "spec_version": "2.1", "id": infra, "created": ts, "modified": ts,
					"created_by_ref": idt, "name": "C2 " + in.Value, "infrastructure_types": []string{"command-and-control"}},
					r.relationship(idt, ts, ind["id"].(string), "indicates", infra))
			}
		case "url":
			ind["name"] = "Web shell URL path " + in.Value
			ind["pattern"] = fmt.Sprintf("[url:value LIKE '%%%s%%']", stixQuote(in.Value))
		case "file":
			name := path.Base(in.Value)
			sco := r.stixID("file", in.Host+":"+in.Value)
			file := map[string]any{"type": "file", "spec_version": "2.1", "id": sco, "name": name}
			ind["name"] = "File " + in.Host + ":" + in.Value
			ind["pattern"] = fmt.Sprintf("[file:name = '%s']", stixQuote(name))
			if in.SHA256 != "" {
				file["hashes"] = map[string]string{"SHA-256": in.SHA256}
				ind["pattern"] = fmt.Sprintf("[file:hashes.'SHA-256' = '%s']", in.SHA256)
			}
			if in.Size > 0 {
				file["size"] = in.Size
			}
			objs = append(objs, file)
			obs = append(obs, sco)
			if in.Role == RoleMalicious {
				mw := r.stixID("malware", in.Host+":"+in.Value)
				objs = append(objs, map[string]any{"type": "malware", "spec_version": "2.1", "id": mw, "created": ts, "modified": ts, "created_by_ref": idt,
					"name": name, "is_family": false, "malware_types": []string{"webshell"}, "sample_refs": []string{sco}},
					r.relationship(idt, ts, ind["id"].(string), "indicates", mw))
			}
		default:
			continue
		}
		objs = append(objs, ind)
		inds = append(inds, ind["id"].(string))
	}
	return objs, obs, inds
}

func (r *Report) relationship(idt, ts, from, typ, to string) map[string]any {
	return map[string]any{"type": "relationship", "spec_version": "2.1", "id": r.stixID("relationship", from+typ+to), "created": ts, "modified": ts,
		"created_by_ref": idt, "relationship_type": typ, "source_ref": from, "target_ref": to}
}

func directionText(d string) string {
	if d == "" {
		return ""
	}
	return " (" + d + ")"
}

// stixQuote escapes a value for a single-quoted STIX pattern string.
func stixQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}
