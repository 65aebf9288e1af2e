package report

const htmlTemplate = `<!doctype html>
<html lang="{{.R.Lang}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{.R.Title}}</title>
<style>
@page { size: {{.Paper}}; margin: 14mm 12mm 16mm 12mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #444; } }
@page wide { size: {{.Paper}} landscape; margin: 12mm 12mm 14mm 12mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #444; } }
.wide { page: wide; }
body { font-family: "IPAexGothic", "Noto Sans CJK JP", system-ui, sans-serif; margin: 0; color: #111; font-size: 9.5pt; line-height: 1.35; }
@media screen { body { margin: 2rem; max-width: 70rem; } }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; border-bottom: 1px solid #999; margin-top: 14pt; break-after: avoid; }
h3 { font-size: 10pt; margin: 8pt 0 2pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 3pt 0; font-size: 8pt; table-layout: auto; }
th, td { border: 1px solid #bbb; padding: 1.5pt 3pt; text-align: left; vertical-align: top; overflow-wrap: break-word; word-break: normal; hyphens: manual; }
th { background: #eef1f5; white-space: nowrap; }
tr { break-inside: avoid; }
code, .mono { font-family: "DejaVu Sans Mono", "IPAexGothic", monospace; font-size: 7pt; }
.num, .nowrap { white-space: nowrap; } .num { text-align: right; }
.bad { color: #a00; font-weight: bold; }
.cover { border: 2px solid #20344f; padding: 8pt; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2pt 8pt; margin: 4pt 0; }
dl.kv dt { font-weight: bold; } dl.kv dd { margin: 0; }
</style>
</head>
<body>
{{with .R}}
<section class="cover">
<h1>{{.Title}}</h1>
<p>{{if .Reporter}}{{.Reporter}} · {{end}}{{.L "version"}} {{.Version}} · {{.L "generated"}} <span class="nowrap">{{.T .Generated}}</span> · Kiseki {{.Kiseki}} · {{.L "display_zone"}} {{.Zone}}</p>
<h2>{{.L "changes"}}</h2>
<table><tr><th>{{.L "version"}}</th><th>{{.L "time"}}</th><th>{{.L "user"}}</th><th>{{.L "what"}}</th></tr>
{{range .Changes}}<tr><td class="num">{{.Version}}</td><td class="nowrap">{{$.R.T .Time}}</td><td>{{.User}}</td><td>{{W .What}}</td></tr>{{end}}
{{if .NewVersion}}<tr><td class="num">{{.Version}}</td><td class="nowrap">{{.T .Generated}}</td><td></td><td>{{W .Digest}}</td></tr>{{end}}
</table>
</section>

<h2>1. {{.L "summary"}}</h2>
<dl class="kv">
{{if .Summary.Description}}<dt>{{.L "description"}}</dt><dd>{{.Summary.Description}}</dd>{{end}}
<dt>{{.L "category"}}</dt><dd>{{if .Summary.Category}}{{.L .Summary.Category}}{{if not .JA}}: {{.Summary.CategoryWhy}}{{end}}{{else}}{{.L "none"}}{{end}}</dd>
<dt>{{.L "compromised"}}</dt><dd>{{if .Summary.Compromised}}{{.L "yes"}}{{else}}{{.L "no"}}{{end}}</dd>
<dt>{{.L "cause"}}</dt><dd>{{W .Summary.Cause}}</dd>
<dt>{{.L "discovered"}}</dt><dd>{{if .Summary.Discovered}}{{.Summary.Discovered}}{{else}}{{.L "not_given"}}{{end}}</dd>
<dt>{{.L "window"}}</dt><dd>{{if .Summary.Window.First}}<span class="nowrap">{{.T .Summary.Window.First}}</span> – <span class="nowrap">{{.T .Summary.Window.Last}}</span>{{else}}{{.L "none"}}{{end}}</dd>
<dt>{{.L "leak"}}</dt><dd>{{range $i, $l := .Leaks}}<div>{{$l.Name}}: <b {{if eq $i 0}}id="leak-records"{{end}}>{{$l.Records}}</b></div>{{else}}{{.Summary.LeakMethod}}{{end}}</dd>
<dt>{{.L "pii_kinds"}}</dt><dd>{{if .DataKinds}}{{join .DataKinds ", "}}{{else}}{{.L "not_given"}}{{end}}</dd>
<dt>{{.L "scope"}}</dt><dd>{{.L "hosts"}} {{len .Summary.Hosts}} ({{join .Summary.Hosts ", "}}) · {{.L "accounts"}} {{.Summary.Accounts}} · {{.L "files"}} {{.Summary.Files}} · {{.L "remote"}} {{.Summary.Remote}}</dd>
<dt>{{.L "events"}}</dt><dd id="events">{{.Summary.Events}}</dd>
</dl>
{{range .Notes}}<p>{{.}}</p>{{end}}

<h2>2. {{.L "systems"}}</h2>
<table><tr><th>{{.L "host"}}</th><th>{{.L "addresses"}}</th><th>{{.L "role"}}</th><th>{{.L "compromised_at"}}</th><th>{{.L "how"}}</th></tr>
{{range .Systems}}<tr><td>{{.Host}}</td><td>{{range .Addresses}}<div><code>{{.}}</code></div>{{end}}</td><td>{{$.R.L (print "role_" .Role)}}</td><td class="nowrap">{{if .Compromised}}{{$.R.T .Compromised}}{{end}}</td><td>{{if $.R.JA}}{{$.R.L .Rule}}{{else}}{{W .How}}{{end}}</td></tr>
{{else}}<tr><td colspan="5">{{.L "none"}}</td></tr>{{end}}
</table>

<h2>3. {{.L "vector"}}</h2>
{{with .Scope}}{{range .Hosts}}{{if .Compromised}}<p><b>{{.Name}}</b> <span class="nowrap">{{$.R.T .Compromised}}</span> — {{$.R.L .Rule}}{{if not $.R.JA}}: {{W .Why}}{{end}}</p>{{end}}{{end}}{{else}}<p>{{.L "cause_unknown"}}</p>{{end}}

<h2>4. {{.L "chronology"}}</h2>
<table><tr><th>{{.L "time"}}</th><th>{{.L "host"}}</th><th>{{.L "kind"}}</th><th>{{.L "event"}}</th><th>{{.L "ref"}}</th></tr>
{{range .Chronology}}<tr><td class="nowrap">{{$.R.T .Time}}</td><td>{{.Host}}</td><td>{{$.R.L .Kind}}</td><td>{{if .Subject}}<code>{{W ($.R.Data .Subject)}}</code> {{end}}{{if .Rule}}({{$.R.L .Rule}}){{end}}{{if not $.R.JA}}{{if .What}}<div>{{W .What}}</div>{{end}}{{end}}</td><td><code>{{W .Ref}}</code></td></tr>
{{else}}<tr><td colspan="5">{{.L "none"}}</td></tr>{{end}}
</table>
<h3>{{.L "histogram"}}: {{.HistWhat}}</h3>
{{$.SVG}}

<h2>5. {{.L "scope"}}</h2>
{{with .Scope}}
<h3>{{$.R.L "hosts"}}</h3>
<table><tr><th>{{$.R.L "host"}}</th><th>{{$.R.L "compromised_at"}}</th><th>{{$.R.L "first"}}</th><th>{{$.R.L "last"}}</th><th>{{$.R.L "events"}}</th></tr>
{{range .Hosts}}<tr><td>{{.Name}}</td><td class="nowrap">{{if .Compromised}}{{$.R.T .Compromised}} ({{$.R.L .Rule}}){{end}}</td><td class="nowrap">{{$.R.T .FirstSeen}}</td><td class="nowrap">{{$.R.T .LastSeen}}</td><td class="num">{{.Events}}</td></tr>{{end}}</table>
<h3>{{$.R.L "accounts"}}</h3>
<table><tr><th>{{$.R.L "user"}}</th><th>{{$.R.L "host"}}</th><th>{{$.R.L "rule"}}</th><th>{{$.R.L "first"}}</th><th>{{$.R.L "events"}}</th></tr>
{{range .Accounts}}<tr><td>{{.Name}}</td><td>{{.Host}}</td><td>{{$.R.L .Rule}}</td><td class="nowrap">{{$.R.T .FirstSeen}}</td><td class="num">{{.Events}}</td></tr>{{else}}<tr><td colspan="5">{{$.R.L "none"}}</td></tr>{{end}}</table>
<h3>{{$.R.L "files"}}</h3>
<table><tr><th>{{$.R.L "host"}}</th><th>{{$.R.L "path"}}</th><th>{{$.R.L "kind"}}</th><th>{{$.R.L "rule"}}</th><th>{{$.R.L "first"}}</th></tr>
{{range .Files}}<tr><td>{{.Host}}</td><td><code>{{W .Path}}</code></td><td>{{range .Actions}}{{$.R.L .}} {{end}}</td><td>{{$.R.L .Rule}}</td><td class="nowrap">{{$.R.T .FirstSeen}}</td></tr>{{else}}<tr><td colspan="5">{{$.R.L "none"}}</td></tr>{{end}}</table>
<h3>{{$.R.L "remote"}}</h3>
<table><tr><th>{{$.R.L "addresses"}}</th><th>{{$.R.L "direction"}}</th><th>{{$.R.L "rule"}}</th><th>{{$.R.L "first"}}</th><th>{{$.R.L "last"}}</th><th>{{$.R.L "events"}}</th></tr>
{{range .RemoteAddresses}}<tr><td><code>{{.Address}}</code></td><td>{{$.R.L .Direction}}</td><td>{{$.R.L .Rule}}</td><td class="nowrap">{{$.R.T .FirstSeen}}</td><td class="nowrap">{{$.R.T .LastSeen}}</td><td class="num">{{.Events}}</td></tr>{{else}}<tr><td colspan="6">{{$.R.L "none"}}</td></tr>{{end}}</table>
<h3>{{$.R.L "lateral"}}</h3>
<table><tr><th>{{$.R.L "from"}}</th><th>{{$.R.L "to"}}</th><th>{{$.R.L "kind"}}</th><th>{{$.R.L "first"}}</th><th>{{$.R.L "events"}}</th></tr>
{{range .Lateral}}<tr><td>{{.From}}</td><td>{{$.R.Data .To}}{{if .User}} ({{.User}}){{end}}</td><td>{{$.R.L .Kind}}</td><td class="nowrap">{{$.R.T .FirstSeen}}</td><td class="num">{{.Events}}</td></tr>{{else}}<tr><td colspan="5">{{$.R.L "none"}}</td></tr>{{end}}</table>
{{else}}<p>{{.L "none"}}</p>{{end}}

<h2>6. {{.L "risk"}}</h2>
{{range .Leaks}}
<h3>{{.Name}}</h3>
<dl class="kv">
<dt>{{$.R.L "actual"}}</dt><dd class="num" style="text-align:left">{{.Records}}</dd>
{{if .Data}}<dt>{{$.R.L "pii_kinds"}}</dt><dd>{{join .Data ", "}}</dd>{{end}}
<dt>{{$.R.L "method"}}</dt><dd>{{W .Method}}</dd>
{{with .Result}}{{if .Window.First}}<dt>{{$.R.L "window"}}</dt><dd><span class="nowrap">{{$.R.T .Window.First}}</span> – <span class="nowrap">{{$.R.T .Window.Last}}</span></dd>{{end}}{{end}}
<dt>{{$.R.L "command"}}</dt><dd><code>kiseki {{W (join .Command " ")}}</code></dd>
</dl>
{{else}}<p>{{.Summary.LeakMethod}}</p>{{end}}

<h2>7. {{.L "tampering"}}</h2>
<table><tr><th>{{.L "kind"}}</th><th>{{.L "host"}}</th><th>{{.L "detail"}}</th><th>{{.L "first"}}</th><th>{{.L "events"}}</th></tr>
{{range .Tampering}}<tr><td>{{$.R.L .Kind}}</td><td>{{.Host}}</td><td>{{if .Path}}<code>{{W .Path}}</code> {{end}}{{if not $.R.JA}}{{W .Detail}}{{end}}</td><td class="nowrap">{{$.R.T .FirstSeen}}</td><td class="num">{{.Events}}</td></tr>{{else}}<tr><td colspan="5">{{$.R.L "none"}}</td></tr>{{end}}
</table>

<h2>8. {{.L "annotated"}}</h2>
<table><tr><th>{{.L "time"}}</th><th>{{.L "host"}}</th><th>{{.L "event"}}</th><th>{{.L "notes"}}</th><th>{{.L "ref"}}</th></tr>
{{range .Annotated}}<tr><td class="nowrap">{{$.R.T .Time}}</td><td>{{.Host}}</td><td>{{W .Summary}}</td><td>{{if .Starred}}★ {{end}}{{join .Tags ", "}}{{range .Comments}}<div>{{W .}}</div>{{end}}</td><td><code>{{W .Ref}}</code></td></tr>
{{else}}<tr><td colspan="5">{{.L "none"}}</td></tr>{{end}}
</table>

<h2>9. {{.L "windows"}}</h2>
<table><tr><th>{{.L "what"}}</th><th>{{.L "first"}}</th><th>{{.L "last"}}</th><th>{{.L "basis"}}</th></tr>
{{range .Windows}}<tr><td>{{.Name}}</td><td class="nowrap">{{$.R.T .First}}</td><td class="nowrap">{{$.R.T .Last}}</td><td><code>{{W .Basis}}</code></td></tr>{{else}}<tr><td colspan="4">{{.L "none"}}</td></tr>{{end}}
</table>

<h2>10. {{.L "sources"}}</h2>
<table><tr><th>{{.L "id"}}</th><th>{{.L "path"}}</th><th>{{.L "format"}}</th><th>{{.L "events"}}</th><th>{{.L "zone"}}</th><th>{{.L "offset"}}</th><th>{{.L "year"}}</th></tr>
{{range .Sources}}<tr><td>{{.Evidence}}</td><td><code>{{W .Path}}</code></td><td>{{.Format}}</td><td class="num">{{.Events}}</td><td>{{range .Zones}}<div>{{.}}</div>{{end}}</td><td>{{if .ClockOffset}}{{.ClockOffset}}{{else}}{{$.R.L "none"}}{{end}}</td><td>{{$.R.L .Year}}</td></tr>{{end}}
</table>

<section class="wide">
<h2>11. {{.L "indicators"}}</h2>
<table><tr><th>{{.L "role"}}</th><th>{{.L "direction"}}</th><th>{{.L "value"}}</th><th>{{.L "rule"}}</th><th>{{.L "first"}}</th><th>{{.L "ref"}}</th></tr>
{{range .Indicators.Items}}<tr><td>{{$.R.L .Role}}</td><td>{{$.R.L .Direction}}</td><td><code>{{if .Host}}{{.Host}}:{{end}}{{W .Value}}</code>{{if .URL}}<div><code>{{W .URL}}</code></div>{{end}}{{if .SHA256}}<div>SHA-256 <code>{{.SHA256}}</code></div>{{else if .HashNote}}<div>{{.HashNote}}</div>{{end}}</td><td>{{$.R.L .Rule}}</td><td class="nowrap">{{$.R.T .First}}</td><td><code>{{W .Ref}}</code></td></tr>
{{else}}<tr><td colspan="6">{{.L "none"}}</td></tr>{{end}}
</table>
{{if .Indicators.UserAgents}}<h3>{{.L "uas"}}</h3>{{range .Indicators.UserAgents}}<div><code>{{W .}}</code></div>{{end}}{{end}}

<h2>12. {{.L "evidence"}}</h2>
<table><tr><th>{{.L "id"}}</th><th>{{.L "path"}}</th><th>{{.L "host"}}</th><th>{{.L "format"}}</th><th>{{.L "size"}}</th><th>SHA-256</th><th>{{.L "status"}}</th></tr>
{{range .Evidence}}<tr><td>{{.ID}}</td><td><code>{{W .Path}}</code></td><td>{{.Host}}</td><td>{{.Format}}</td><td class="num">{{.Size}}</td><td><div>{{$.R.L "acq"}}: <code>{{.Acquired}}</code></div><div>{{$.R.L "ana"}}: <code>{{.Analysis}}</code></div></td><td {{if ne .Status "ok"}}class="bad"{{end}}>{{$.R.L .Status}}</td></tr>{{end}}
</table>

<h2>13. {{.L "queries"}}</h2>
<table><tr><th>{{.L "what"}}</th><th>{{.L "value"}}</th><th>{{.L "command"}}</th></tr>
{{range .Queries}}<tr><td>{{.What}}</td><td class="num">{{.Value}}</td><td><code>kiseki {{W (join .Command " ")}} → {{.JSONKey}}</code></td></tr>{{end}}
</table>

<h2>{{.L "annex"}}</h2>
<table><tr><th>{{.L "leak"}}</th><th>{{.L "kind"}}</th><th>{{.L "value"}}</th><th>{{.L "count"}}</th><th>{{.L "first"}}</th><th>{{.L "ref"}}</th></tr>
{{range .Annex}}<tr><td>{{.Set}}</td><td>{{.Kind}}</td><td><code>{{W .Value}}</code></td><td class="num">{{.Count}}</td><td class="nowrap">{{$.R.T .First}}</td><td><code>{{W .Refs}}</code></td></tr>{{else}}<tr><td colspan="6">{{$.R.L "none"}}</td></tr>{{end}}
</table>
</section>
{{end}}
</body>
</html>
`

const mdTemplate = `# {{md .Title}}

{{if .Reporter}}{{md .Reporter}} · {{end}}{{.L "version"}} {{.Version}} · {{.L "generated"}} {{.T .Generated}} · Kiseki {{.Kiseki}} · {{.L "display_zone"}} {{.Zone}}

## {{.L "changes"}}

| {{.L "version"}} | {{.L "time"}} | {{.L "user"}} | {{.L "what"}} |
|---|---|---|---|
{{range .Changes}}| {{.Version}} | {{$.T .Time}} | {{md .User}} | {{md .What}} |
{{end}}{{if .NewVersion}}| {{.Version}} | {{.T .Generated}} | | {{md .Digest}} |
{{end}}
## 1. {{.L "summary"}}
{{if .Summary.Description}}
- {{.L "description"}}: {{md .Summary.Description}}{{end}}
- {{.L "category"}}: {{if .Summary.Category}}{{.L .Summary.Category}}{{if not .JA}}: {{md .Summary.CategoryWhy}}{{end}}{{else}}{{.L "none"}}{{end}}
- {{.L "compromised"}}: {{if .Summary.Compromised}}{{.L "yes"}}{{else}}{{.L "no"}}{{end}}
- {{.L "cause"}}: {{md .Summary.Cause}}
- {{.L "discovered"}}: {{if .Summary.Discovered}}{{md .Summary.Discovered}}{{else}}{{.L "not_given"}}{{end}}
- {{.L "window"}}: {{if .Summary.Window.First}}{{.T .Summary.Window.First}} – {{.T .Summary.Window.Last}}{{else}}{{.L "none"}}{{end}}
{{range .Leaks}}- {{$.L "leak"}}: {{md .Name}}: {{.Records}}
{{else}}- {{.L "leak"}}: {{md .Summary.LeakMethod}}
{{end}}- {{.L "pii_kinds"}}: {{if .DataKinds}}{{md (join .DataKinds ", ")}}{{else}}{{.L "not_given"}}{{end}}
- {{.L "scope"}}: {{.L "hosts"}} {{md (join .Summary.Hosts ", ")}}; {{.L "accounts"}} {{.Summary.Accounts}}; {{.L "files"}} {{.Summary.Files}}; {{.L "remote"}} {{.Summary.Remote}}
- {{.L "events"}}: {{.Summary.Events}}
{{range .Notes}}
{{md .}}
{{end}}
## 2. {{.L "systems"}}

| {{.L "host"}} | {{.L "addresses"}} | {{.L "role"}} | {{.L "compromised_at"}} | {{.L "how"}} |
|---|---|---|---|---|
{{range .Systems}}| {{md .Host}} | {{join .Addresses ", "}} | {{$.L (print "role_" .Role)}} | {{if .Compromised}}{{$.T .Compromised}}{{end}} | {{if $.JA}}{{$.L .Rule}}{{else}}{{md .How}}{{end}} |
{{end}}
## 3. {{.L "vector"}}
{{with .Scope}}{{range .Hosts}}{{if .Compromised}}
- {{md .Name}} {{$.T .Compromised}}: {{$.L .Rule}}{{if not $.JA}}: {{md .Why}}{{end}}{{end}}{{end}}{{end}}

## 4. {{.L "chronology"}}

| {{.L "time"}} | {{.L "host"}} | {{.L "kind"}} | {{.L "event"}} | {{.L "ref"}} |
|---|---|---|---|---|
{{range .Chronology}}| {{$.T .Time}} | {{md .Host}} | {{$.L .Kind}} | {{md .Subject}} {{if .Rule}}({{$.L .Rule}}){{end}}{{if not $.JA}} {{md .What}}{{end}} | {{md .Ref}} |
{{end}}
## 5. {{.L "scope"}}
{{with .Scope}}
{{range .Hosts}}- {{$.L "host"}} {{md .Name}}: {{$.T .FirstSeen}} – {{$.T .LastSeen}}, {{.Events}} {{$.L "events"}}
{{end}}{{range .Accounts}}- {{$.L "user"}} {{md .Name}}@{{md .Host}}: {{.Events}}
{{end}}{{range .Files}}- {{$.L "path"}} {{md .Host}}:{{md .Path}} ({{range .Actions}}{{$.L .}} {{end}})
{{end}}{{range .RemoteAddresses}}- {{$.L "addresses"}} {{.Address}} {{$.L .Direction}} ({{$.L .Rule}}): {{.Events}}
{{end}}{{range .Lateral}}- {{$.L "lateral"}} {{md .From}} → {{md .To}} {{$.L .Kind}}
{{end}}{{end}}
## 6. {{.L "risk"}}
{{range .Leaks}}
### {{md .Name}}

- {{$.L "actual"}}: {{.Records}}
{{if .Data}}- {{$.L "pii_kinds"}}: {{md (join .Data ", ")}}
{{end}}- {{$.L "method"}}: {{md .Method}}
- {{$.L "command"}}: {{md (join .Command " ")}}
{{else}}
{{md .Summary.LeakMethod}}
{{end}}
## 7. {{.L "tampering"}}

{{range .Tampering}}- {{$.L .Kind}} {{md .Host}} {{md .Path}}{{if not $.JA}}: {{md .Detail}}{{end}} ({{$.T .FirstSeen}}, {{.Events}})
{{else}}{{.L "none"}}
{{end}}
## 8. {{.L "annotated"}}

| {{.L "time"}} | {{.L "host"}} | {{.L "ref"}} | {{.L "event"}} | {{.L "notes"}} |
|---|---|---|---|---|
{{range .Annotated}}| {{$.T .Time}} | {{md .Host}} | {{md .Ref}} | {{md .Summary}} | {{if .Starred}}★ {{end}}{{md (join .Tags ", ")}} {{md (join .Comments " / ")}} |
{{end}}
## 9. {{.L "windows"}}

{{range .Windows}}- {{.Name}}: {{$.T .First}} – {{$.T .Last}} ({{md .Basis}})
{{end}}
## 10. {{.L "sources"}}

| {{.L "id"}} | {{.L "path"}} | {{.L "format"}} | {{.L "events"}} | {{.L "zone"}} | {{.L "offset"}} | {{.L "year"}} |
|---|---|---|---|---|---|---|
{{range .Sources}}| {{.Evidence}} | {{md .Path}} | {{.Format}} | {{.Events}} | {{md (join .Zones ", ")}} | {{.ClockOffset}} | {{md .Year}} |
{{end}}
## 11. {{.L "indicators"}}

| {{.L "role"}} | {{.L "direction"}} | {{.L "value"}} | SHA-256 | {{.L "rule"}} | {{.L "ref"}} |
|---|---|---|---|---|---|
{{range .Indicators.Items}}| {{$.L .Role}} | {{$.L .Direction}} | {{if .Host}}{{md .Host}}:{{end}}{{md .Value}} | {{.SHA256}}{{md .HashNote}} | {{$.L .Rule}} | {{md .Ref}} |
{{end}}
- {{.L "uas"}}: {{md (join .Indicators.UserAgents " / ")}}

## 12. {{.L "evidence"}}

| {{.L "id"}} | {{.L "path"}} | {{.L "host"}} | {{.L "format"}} | {{.L "size"}} | {{.L "acq"}} | {{.L "ana"}} | {{.L "status"}} |
|---|---|---|---|---|---|---|---|
{{range .Evidence}}| {{.ID}} | {{md .Path}} | {{md .Host}} | {{.Format}} | {{.Size}} | {{.Acquired}} | {{.Analysis}} | {{$.L .Status}} |
{{end}}
## 13. {{.L "queries"}}

| {{.L "what"}} | {{.L "value"}} | {{.L "command"}} |
|---|---|---|
{{range .Queries}}| {{md .What}} | {{.Value}} | {{md (join .Command " ")}} → {{.JSONKey}} |
{{end}}
## {{.L "annex"}}

{{len .Annex}} rows (CSV annex beside this file).
`
