package crowdsecassert

import "testing"

func TestParseAssertion(t *testing.T) {
	for _, tc := range []struct {
		line  string
		want  Assertion
		field string
	}{
		{`results["s01-parse"]["crowdsecurity/sshd-logs"][3].Evt.Parsed["sshd_client_ip"] == "5.33.63.160"`,
			Assertion{Stage: "s01-parse", Parser: "crowdsecurity/sshd-logs", Index: 3, Kind: "Parsed", Key: "sshd_client_ip", Value: "5.33.63.160"}, "Parsed.sshd_client_ip"},
		{`results["s02-enrich"]["crowdsecurity/dateparse-enrich"][0].Evt.Enriched["MarshaledTime"][4:] == "-06-13T23:29:15Z"`,
			Assertion{Stage: "s02-enrich", Parser: "crowdsecurity/dateparse-enrich", Kind: "Enriched", Key: "MarshaledTime", Suffix: "[4:]", Value: "-06-13T23:29:15Z"}, "Enriched.MarshaledTime[4:]"},
		{`results["s00-raw"]["crowdsecurity/syslog-logs"][12].Success == true`,
			Assertion{Stage: "s00-raw", Parser: "crowdsecurity/syslog-logs", Index: 12, Kind: "Success", Value: "true"}, "Success"},
	} {
		a, ok := ParseAssertion([]byte(tc.line))
		if !ok || a != tc.want || a.Field() != tc.field {
			t.Errorf("%s: got %+v %q %v", tc.line, a, a.Field(), ok)
		}
	}
	for _, bad := range []string{"", `len(results) == 3`, `results["s01"]["p"][x].Success == true`, `results["s01"]["p"][1].Evt.Parsed == 3`} {
		if _, ok := ParseAssertion([]byte(bad)); ok {
			t.Errorf("%q read as an assertion", bad)
		}
	}
}
