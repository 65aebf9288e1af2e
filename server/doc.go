// Package server is Kiseki's HTTP side: a JSON API under /api/v1 and the web
// timeline (server-rendered pages plus small script islands built from web/
// and embedded), both answering from the same search code as the CLI.
//
// Security model: the server listens on loopback by default; on any other
// address every request must carry a token generated at start. Requests
// whose Host header is not the address served are refused (DNS rebinding),
// state-changing requests must be same-origin JSON, and every page is sent
// with a strict Content-Security-Policy that allows only the embedded
// scripts. Log content is attacker-controlled: it is only ever emitted as
// JSON strings or escaped HTML text, never as markup. The server reads the
// case and its evidence but writes only annotations.jsonl and the audit log.
package server
