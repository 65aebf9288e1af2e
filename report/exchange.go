package report

import (
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// IODEF writes an IODEF 2.0 (RFC 7970) incident document: reporter, incident
// id, detect/start/end times, affected systems, attacker addresses, and the
// record counts (actual vs potential) as counters. Text is XML-escaped.
func (r *Report) IODEF(w io.Writer) error {
	esc := func(s string) string {
		var b strings.Builder
		xml.EscapeText(&b, []byte(xmlSafe(s)))
		return b.String()
	}
	gen := r.Generated
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<IODEF-Document version="2.00" xml:lang="` + r.Lang + `" xmlns="urn:ietf:params:xml:ns:iodef-2.0" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` + "\n")
	b.WriteString(` <Incident purpose="reporting" restriction="private">` + "\n")
	fmt.Fprintf(&b, "  <IncidentID name=\"kiseki.case\">%s</IncidentID>\n", esc(r.Case))
	if r.Summary.Window.First != "" {
		fmt.Fprintf(&b, "  <DetectTime>%s</DetectTime>\n  <StartTime>%s</StartTime>\n  <EndTime>%s</EndTime>\n", r.Summary.Window.First, r.Summary.Window.First, r.Summary.Window.Last)
	}
	fmt.Fprintf(&b, "  <ReportTime>%s</ReportTime>\n  <GenerationTime>%s</GenerationTime>\n", gen, gen)
	fmt.Fprintf(&b, "  <Description>%s</Description>\n", esc(r.L("cause")+": "+r.Summary.Cause))
	b.WriteString("  <Assessment occurrence=\"actual\">\n")
	impact := "unknown"
	if r.Summary.Compromised {
		impact = "breach-privacy"
	}
	fmt.Fprintf(&b, "   <SystemImpact type=\"%s\" completion=\"succeeded\"><Description>%s</Description></SystemImpact>\n", impact, esc(r.Summary.LeakMethod))
	fmt.Fprintf(&b, "   <Counter type=\"count\" unit=\"ext-value\" ext-unit=\"records-actual\">%d</Counter>\n", r.Summary.LeakRecords)
	if r.Leak != nil && r.Leak.Requests > 0 {
		fmt.Fprintf(&b, "   <Counter type=\"count\" unit=\"ext-value\" ext-unit=\"requests-matched\">%d</Counter>\n", r.Leak.Requests)
	}
	b.WriteString("  </Assessment>\n")
	if r.Summary.Category != "" {
		// The incident category of national CSIRT statistics, with the
		// common language (Sandia) its decision stands on.
		fmt.Fprintf(&b, "  <Method>\n   <Reference>\n    <URL>%s</URL>\n    <Description>%s</Description>\n   </Reference>\n   <Description>%s</Description>\n  </Method>\n",
			sandiaURL, esc("Sandia common language for computer security incidents (SAND98-8667): incident category "+r.Summary.Category), esc(r.Summary.Category+": "+r.Summary.CategoryWhy))
	}
	fmt.Fprintf(&b, "  <Contact role=\"creator\" type=\"organization\">\n   <ContactName>%s</ContactName>\n  </Contact>\n", esc("Kiseki "+r.Kiseki))
	r.iodefEvents(&b, esc)
	r.iodefIndicators(&b, esc)
	b.WriteString(" </Incident>\n</IODEF-Document>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// sandiaURL is the reference of the common language the taxonomy follows.
const sandiaURL = "https://www.osti.gov/biblio/751004"

// xmlSafe drops characters XML 1.0 cannot carry (control bytes other than
// tab and newline), which log content may hold.
func xmlSafe(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '\t' || c == '\n' || c == '\r' || c >= 0x20 && c != 0xfffe && c != 0xffff && (c < 0xd800 || c > 0xdfff) {
			return c
		}
		return -1
	}, s)
}

// stixID makes a deterministic STIX identifier (UUIDv5-like over the case and
// a name), so the same report yields the same ids.
func (r *Report) stixID(kind, name string) string {
	h := sha256.Sum256([]byte(r.Case + "\x00" + kind + "\x00" + name))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%s--%x-%x-%x-%x-%x", kind, h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// incidentCoreExt is the OASIS incident-core extension definition id.
const incidentCoreExt = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"

// STIX writes a STIX 2.1 bundle: the reporting identity, the intruder's
// indicators with their role and direction (stixIndicators), observed-data
// and a sighting of each, and an incident with the incident-core
// extension's record counts.
func (r *Report) STIX(w io.Writer) error {
	now := r.Generated
	t, _ := time.Parse(time.RFC3339, now)
	ts := t.UTC().Format("2006-01-02T15:04:05.000Z")
	idt := r.stixID("identity", "kiseki")
	objs := []map[string]any{{
		"type": "identity", "spec_version": "2.1", "id": idt, "created": ts, "modified": ts,
		"name": "Kiseki " + r.Kiseki + " (" + r.Case + ")", "identity_class": "system",
	}}
	first, last := ts, ts
	if r.Summary.Window.First != "" {
		first, last = stixTime(r.Summary.Window.First), stixTime(r.Summary.Window.Last)
	}
	indObjs, obsRefs, indIDs := r.stixIndicators(idt, ts, first)
	objs = append(objs, indObjs...)
	od := r.stixID("observed-data", "addresses")
	if len(obsRefs) > 0 {
		objs = append(objs, map[string]any{
			"type": "observed-data", "spec_version": "2.1", "id": od, "created": ts, "modified": ts, "created_by_ref": idt,
			"first_observed": first, "last_observed": last, "number_observed": 1, "object_refs": obsRefs,
		})
		for _, ind := range indIDs {
			objs = append(objs, map[string]any{
				"type": "sighting", "spec_version": "2.1", "id": r.stixID("sighting", ind), "created": ts, "modified": ts, "created_by_ref": idt,
				"sighting_of_ref": ind, "observed_data_refs": []string{od}, "first_seen": first, "last_seen": last, "count": 1,
			})
		}
	}
	inc := map[string]any{
		"type": "incident", "spec_version": "2.1", "id": r.stixID("incident", "incident"), "created": ts, "modified": ts, "created_by_ref": idt,
		"name": r.Title, "description": r.L("cause") + ": " + r.Summary.Cause + categoryText(r.Summary),
		"extensions": map[string]any{incidentCoreExt: map[string]any{
			"extension_type":       "property-extension",
			"determination":        map[bool]string{true: "confirmed", false: "suspected"}[r.Summary.Compromised],
			"investigation_status": "open",
			"impacts": []map[string]any{{
				"impact_category": "confidentiality", "criticality": 80,
				"information_type": "pii", "record_count": r.Summary.LeakRecords,
				"record_size": 0,
			}},
		}},
	}
	if r.Summary.Category != "" {
		inc["labels"] = []string{r.Summary.Category}
	}
	objs = append(objs, inc)
	bundle := map[string]any{"type": "bundle", "id": r.stixID("bundle", "report-"+now), "objects": objs}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(bundle)
}

// categoryText is the category sentence of a description ("" without one).
func categoryText(s Summary) string {
	if s.Category == "" {
		return ""
	}
	return " (" + s.Category + ": " + s.CategoryWhy + ")"
}

func stixTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
