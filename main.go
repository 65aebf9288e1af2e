// Command kiseki is a forensic timeline and evidence analysis engine.
package main

import (
	"os"

	"github.com/kiseki-forensics/kiseki/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
