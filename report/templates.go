package report

const htmlTemplate = `<!doctype html>
<html lang="{{.R.Lang}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{.R.Title}}</title>
<style>
body { font-family: "IPAexGothic", "Noto Sans CJK JP", system-ui, sans-serif; margin: 2rem; color: #111; font-size: 11pt; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #999; margin-top: 1.6rem; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: 2px 5px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eef1f5; }
code, .mono { font-family: "IPAexGothic", monospace; font-size: 8.5pt; overflow-wrap: anywhere; }
.num { text-align: right; }
.bad { color: #a00; font-weight: bold; }
.cover { border: 2px solid #20344f; padding: 1rem; }
</style>
</head>
<body>
{{with .R}}
<section class="cover">
<h1>{{.Title}}</h1>
<p>{{.L "version"}} {{.Version}} · {{.L "generated"}} {{.T .Generated}} · Kiseki {{.Kiseki}} · {{.L "display_zone"}} {{.Zone}}</p>
<h2>{{.L "changes"}}</h2>
<table><tr><th>{{.L "version"}}</th><th>{{.L "time"}}</th><th>{{.L "user"}}</th><th>{{.L "what"}}</th></tr>
{{range .Changes}}<tr><td>{{.Version}}</td><td>{{$.R.T .Time}}</td><td>{{.User}}</td><td><code>{{.What}}</code></td></tr>{{end}}
<tr><td>{{.Version}}</td><td>{{.T .Generated}}</td><td></td><td>{{.L "title"}}</td></tr>
</table>
</section>

<h2>{{.L "summary"}}</h2>
<table>
<tr><th>{{.L "compromised"}}</th><td>{{if .Summary.Compromised}}{{.L "yes"}}{{else}}{{.L "no"}}{{end}}</td></tr>
<tr><th>{{.L "cause"}}</th><td>{{.Summary.Cause}}</td></tr>
<tr><th>{{.L "window"}}</th><td>{{if .Summary.Window.First}}{{.T .Summary.Window.First}} – {{.T .Summary.Window.Last}}{{else}}{{.L "none"}}{{end}}</td></tr>
<tr><th>{{.L "leak"}}</th><td><span id="leak-records">{{.Summary.LeakRecords}}</span> ({{.L "method"}}: {{.Summary.LeakMethod}})</td></tr>
<tr><th>{{.L "scope"}}</th><td>{{.L "hosts"}}: {{join .Summary.Hosts ", "}} · {{.L "accounts"}}: {{.Summary.Accounts}} · {{.L "files"}}: {{.Summary.Files}} · {{.L "remote"}}: {{.Summary.Remote}}</td></tr>
<tr><th>{{.L "events"}}</th><td id="events">{{.Summary.Events}}</td></tr>
</table>
{{range .Notes}}<p>{{.}}</p>{{end}}

<h2>{{.L "evidence"}}</h2>
<table><tr><th>{{.L "id"}}</th><th>{{.L "path"}}</th><th>{{.L "host"}}</th><th>{{.L "format"}}</th><th>{{.L "size"}}</th><th>{{.L "acq"}}</th><th>{{.L "ana"}}</th><th>{{.L "status"}}</th></tr>
{{range .Evidence}}<tr><td>{{.ID}}</td><td>{{.Path}}</td><td>{{.Host}}</td><td>{{.Format}}</td><td class="num">{{.Size}}</td><td><code>{{.Acquired}}</code></td><td><code>{{.Analysis}}</code></td><td {{if ne .Status "ok"}}class="bad"{{end}}>{{.Status}}</td></tr>{{end}}
</table>

<h2>{{.L "sources"}}</h2>
<table><tr><th>{{.L "id"}}</th><th>{{.L "path"}}</th><th>{{.L "format"}}</th><th>{{.L "events"}}</th><th>{{.L "zone"}}</th><th>{{.L "offset"}}</th><th>{{.L "year"}}</th></tr>
{{range .Sources}}<tr><td>{{.Evidence}}</td><td>{{.Path}}</td><td>{{.Format}}</td><td class="num">{{.Events}}</td><td>{{join .Zones ", "}}</td><td>{{.ClockOffset}}</td><td>{{.Year}}</td></tr>{{end}}
</table>
<h3>{{.L "queries"}}</h3>
<table><tr><th>{{.L "what"}}</th><th>{{.L "value"}}</th><th>{{.L "command"}}</th></tr>
{{range .Queries}}<tr><td>{{.What}}</td><td class="num">{{.Value}}</td><td><code>kiseki {{join .Command " "}}</code> → {{.JSONKey}}</td></tr>{{end}}
</table>

<h2>{{.L "annotated"}}</h2>
{{$.SVG}}
<table><tr><th>{{.L "time"}}</th><th>{{.L "host"}}</th><th>{{.L "ref"}}</th><th>{{.L "event"}}</th><th>{{.L "notes"}}</th></tr>
{{range .Annotated}}<tr><td>{{$.R.T .Time}}</td><td>{{.Host}}</td><td><code>{{.Ref}}</code></td><td>{{.Summary}}</td><td>{{if .Starred}}★ {{end}}{{join .Tags ", "}}{{range .Comments}}<div>{{.}}</div>{{end}}</td></tr>
{{else}}<tr><td colspan="5">{{.L "none"}}</td></tr>{{end}}
</table>

<h2>{{.L "windows"}}</h2>
<table><tr><th>{{.L "what"}}</th><th>{{.L "first"}}</th><th>{{.L "last"}}</th><th>{{.L "basis"}}</th></tr>
{{range .Windows}}<tr><td>{{.Name}}</td><td>{{$.R.T .First}}</td><td>{{$.R.T .Last}}</td><td><code>{{.Basis}}</code></td></tr>{{else}}<tr><td colspan="4">{{.L "none"}}</td></tr>{{end}}
</table>

<h2>{{.L "scope"}}</h2>
{{with .Scope}}
<h3>{{$.R.L "hosts"}}</h3>
<table><tr><th>{{$.R.L "host"}}</th><th>{{$.R.L "first"}}</th><th>{{$.R.L "last"}}</th><th>{{$.R.L "events"}}</th></tr>
{{range .Hosts}}<tr><td>{{.Name}}</td><td>{{$.R.T .FirstSeen}}</td><td>{{$.R.T .LastSeen}}</td><td class="num">{{.Events}}</td></tr>{{end}}</table>
<h3>{{$.R.L "accounts"}}</h3>
<table><tr><th>{{$.R.L "user"}}</th><th>{{$.R.L "host"}}</th><th>{{$.R.L "first"}}</th><th>{{$.R.L "events"}}</th></tr>
{{range .Accounts}}<tr><td>{{.Name}}</td><td>{{.Host}}</td><td>{{$.R.T .FirstSeen}}</td><td class="num">{{.Events}}</td></tr>{{else}}<tr><td colspan="4">{{$.R.L "none"}}</td></tr>{{end}}</table>
<h3>{{$.R.L "files"}}</h3>
<table><tr><th>{{$.R.L "host"}}</th><th>{{$.R.L "path"}}</th><th>{{$.R.L "kind"}}</th><th>{{$.R.L "first"}}</th></tr>
{{range .Files}}<tr><td>{{.Host}}</td><td><code>{{.Path}}</code></td><td>{{join .Actions ", "}}</td><td>{{$.R.T .FirstSeen}}</td></tr>{{else}}<tr><td colspan="4">{{$.R.L "none"}}</td></tr>{{end}}</table>
<h3>{{$.R.L "remote"}}</h3>
<table><tr><th>{{$.R.L "addresses"}}</th><th>{{$.R.L "kind"}}</th><th>{{$.R.L "first"}}</th><th>{{$.R.L "events"}}</th></tr>
{{range .RemoteAddresses}}<tr><td>{{.Address}}</td><td>{{.Direction}} {{.Why}}</td><td>{{$.R.T .FirstSeen}}</td><td class="num">{{.Events}}</td></tr>{{else}}<tr><td colspan="4">{{$.R.L "none"}}</td></tr>{{end}}</table>
<h3>{{$.R.L "lateral"}}</h3>
<table><tr><th>{{$.R.L "first"}}</th><th>→</th><th>{{$.R.L "kind"}}</th><th>{{$.R.L "events"}}</th></tr>
{{range .Lateral}}<tr><td>{{.From}}</td><td>{{.To}}</td><td>{{.Kind}}</td><td class="num">{{.Events}}</td></tr>{{else}}<tr><td colspan="4">{{$.R.L "none"}}</td></tr>{{end}}</table>
{{else}}<p>{{.L "none"}}</p>{{end}}

<h2>{{.L "risk"}}</h2>
{{with .Leak}}
<table>
<tr><th>{{$.R.L "actual"}}</th><td class="num">{{.Records}}</td></tr>
<tr><th>{{$.R.L "method"}}</th><td>{{.Method}}</td></tr>
<tr><th>{{$.R.L "kind"}}</th><td>{{.DistinctBy}} {{range $k, $v := .ByKind}}{{$k}}: {{$v}} {{end}}</td></tr>
<tr><th>{{$.R.L "window"}}</th><td>{{if .Window.First}}{{$.R.T .Window.First}} – {{$.R.T .Window.Last}}{{end}}</td></tr>
</table>
{{else}}<p>{{.Summary.LeakMethod}}</p>{{end}}

<h2>{{.L "indicators"}}</h2>
<table><tr><th>{{.L "role"}}</th><th>{{.L "direction"}}</th><th>{{.L "value"}}</th><th>{{.L "hashes"}}</th><th>{{.L "why"}}</th><th>{{.L "ref"}}</th></tr>
{{range .Indicators.Items}}<tr><td>{{$.R.L .Role}}</td><td>{{$.R.L .Direction}}</td><td><code>{{if .Host}}{{.Host}}:{{end}}{{.Value}}</code>{{if .URL}}<div><code>{{.URL}}</code></div>{{end}}</td><td>{{if .SHA256}}<code>{{.SHA256}}</code>{{else}}{{.HashNote}}{{end}}</td><td>{{.Why}}</td><td><code>{{.Ref}}</code></td></tr>
{{else}}<tr><td colspan="6">{{.L "none"}}</td></tr>{{end}}
<tr><th>{{.L "uas"}}</th><td colspan="5">{{range .Indicators.UserAgents}}<div><code>{{.}}</code></div>{{end}}</td></tr>
</table>

<h2>{{.L "tampering"}}</h2>
<table><tr><th>{{.L "kind"}}</th><th>{{.L "host"}}</th><th>{{.L "detail"}}</th><th>{{.L "first"}}</th><th>{{.L "events"}}</th></tr>
{{range .Tampering}}<tr><td>{{.Kind}}</td><td>{{.Host}}</td><td>{{.Detail}}</td><td>{{$.R.T .FirstSeen}}</td><td class="num">{{.Events}}</td></tr>{{else}}<tr><td colspan="5">{{$.R.L "none"}}</td></tr>{{end}}
</table>

<h2>{{.L "annex"}}</h2>
<table><tr><th>{{.L "kind"}}</th><th>{{.L "value"}}</th><th>{{.L "count"}}</th><th>{{.L "first"}}</th><th>{{.L "ref"}}</th></tr>
{{range .Annex}}<tr><td>{{.Kind}}</td><td><code>{{.Value}}</code></td><td class="num">{{.Count}}</td><td>{{$.R.T .First}}</td><td><code>{{.Refs}}</code></td></tr>{{else}}<tr><td colspan="5">{{$.R.L "none"}}</td></tr>{{end}}
</table>
{{end}}
</body>
</html>
`

const mdTemplate = `# {{md .Title}}

{{.L "version"}} {{.Version}} · {{.L "generated"}} {{.T .Generated}} · Kiseki {{.Kiseki}} · {{.L "display_zone"}} {{.Zone}}

## {{.L "changes"}}

| {{.L "version"}} | {{.L "time"}} | {{.L "user"}} | {{.L "what"}} |
|---|---|---|---|
{{range .Changes}}| {{.Version}} | {{$.T .Time}} | {{md .User}} | {{md .What}} |
{{end}}| {{.Version}} | {{.T .Generated}} | | {{.L "title"}} |

## {{.L "summary"}}

- {{.L "compromised"}}: {{if .Summary.Compromised}}{{.L "yes"}}{{else}}{{.L "no"}}{{end}}
- {{.L "cause"}}: {{md .Summary.Cause}}
- {{.L "window"}}: {{if .Summary.Window.First}}{{.T .Summary.Window.First}} – {{.T .Summary.Window.Last}}{{else}}{{.L "none"}}{{end}}
- {{.L "leak"}}: {{.Summary.LeakRecords}} ({{.L "method"}}: {{md .Summary.LeakMethod}})
- {{.L "scope"}}: {{.L "hosts"}} {{md (join .Summary.Hosts ", ")}}; {{.L "accounts"}} {{.Summary.Accounts}}; {{.L "files"}} {{.Summary.Files}}; {{.L "remote"}} {{.Summary.Remote}}
- {{.L "events"}}: {{.Summary.Events}}
{{range .Notes}}
{{md .}}
{{end}}
## {{.L "evidence"}}

| {{.L "id"}} | {{.L "path"}} | {{.L "host"}} | {{.L "format"}} | {{.L "size"}} | {{.L "acq"}} | {{.L "ana"}} | {{.L "status"}} |
|---|---|---|---|---|---|---|---|
{{range .Evidence}}| {{.ID}} | {{md .Path}} | {{md .Host}} | {{.Format}} | {{.Size}} | {{.Acquired}} | {{.Analysis}} | {{.Status}} |
{{end}}
## {{.L "sources"}}

| {{.L "id"}} | {{.L "path"}} | {{.L "format"}} | {{.L "events"}} | {{.L "zone"}} | {{.L "offset"}} | {{.L "year"}} |
|---|---|---|---|---|---|---|
{{range .Sources}}| {{.Evidence}} | {{md .Path}} | {{.Format}} | {{.Events}} | {{md (join .Zones ", ")}} | {{.ClockOffset}} | {{md .Year}} |
{{end}}
### {{.L "queries"}}

| {{.L "what"}} | {{.L "value"}} | {{.L "command"}} |
|---|---|---|
{{range .Queries}}| {{.What}} | {{.Value}} | {{md (join .Command " ")}} → {{.JSONKey}} |
{{end}}
## {{.L "annotated"}}

| {{.L "time"}} | {{.L "host"}} | {{.L "ref"}} | {{.L "event"}} | {{.L "notes"}} |
|---|---|---|---|---|
{{range .Annotated}}| {{$.T .Time}} | {{md .Host}} | {{md .Ref}} | {{md .Summary}} | {{if .Starred}}★ {{end}}{{md (join .Tags ", ")}} {{md (join .Comments " / ")}} |
{{end}}
## {{.L "windows"}}

{{range .Windows}}- {{.Name}}: {{$.T .First}} – {{$.T .Last}} ({{md .Basis}})
{{end}}
## {{.L "scope"}}
{{with .Scope}}
{{range .Hosts}}- {{$.L "host"}} {{md .Name}}: {{$.T .FirstSeen}} – {{$.T .LastSeen}}, {{.Events}} {{$.L "events"}}
{{end}}{{range .Accounts}}- {{$.L "user"}} {{md .Name}}@{{md .Host}}: {{.Events}}
{{end}}{{range .Files}}- {{$.L "path"}} {{md .Host}}:{{md .Path}} ({{md (join .Actions ", ")}})
{{end}}{{range .RemoteAddresses}}- {{$.L "addresses"}} {{.Address}} {{.Direction}}: {{.Events}}
{{end}}{{range .Lateral}}- {{$.L "lateral"}} {{md .From}} → {{md .To}} {{.Kind}}
{{end}}{{end}}
## {{.L "risk"}}
{{with .Leak}}
- {{$.L "actual"}}: {{.Records}}
- {{$.L "method"}}: {{md .Method}}
{{else}}
{{md .Summary.LeakMethod}}
{{end}}
## {{.L "indicators"}}

| {{.L "role"}} | {{.L "direction"}} | {{.L "value"}} | {{.L "hashes"}} | {{.L "why"}} | {{.L "ref"}} |
|---|---|---|---|---|---|
{{range .Indicators.Items}}| {{$.L .Role}} | {{$.L .Direction}} | {{if .Host}}{{md .Host}}:{{end}}{{md .Value}} | {{.SHA256}}{{md .HashNote}} | {{md .Why}} | {{md .Ref}} |
{{end}}
- {{.L "uas"}}: {{md (join .Indicators.UserAgents " / ")}}

## {{.L "tampering"}}

{{range .Tampering}}- {{.Kind}} {{md .Host}}: {{md .Detail}} ({{$.T .FirstSeen}}, {{.Events}})
{{else}}{{.L "none"}}
{{end}}
## {{.L "annex"}}

{{len .Annex}} rows (CSV annex beside this file).
`
