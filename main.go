// Command kiseki is a forensic timeline and evidence analysis engine.
package main

import (
	"os"
	_ "time/tzdata" // zones for bundle.yaml on machines without a zoneinfo database

	"github.com/kiseki-forensics/kiseki/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
