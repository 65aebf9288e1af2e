// Command e2e is the end-to-end benchmark of Kiseki against the Sleuth Kit,
// wc and GNU strings on inputs it builds; see main.go.
package main
