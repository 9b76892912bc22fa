// Command aidtrace serves, loads and checks the aidtrace knowledge graph.
// Its commands are listed once, in usage below ('aidtrace help'), next to
// the switch in Run that dispatches them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/aidtrace/aidtrace/internal/neo4jstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	code := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main is the program, separate from main() so tests can run it.
type Main struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Started, when set, is told the server's base URL once it serves (tests).
	Started func(url string)
	// OnStore, when set, sees the store before serving starts (tests count
	// round trips with it).
	OnStore func(*neo4jstore.Store)
}

const usage = `usage: aidtrace <command> [flags] [args]

commands:
  serve [--load PATH]...   serve GraphQL at /graphql (local Neo4j unless NEO4J_URI is set)
  load PATH...             validate dataset files, then load them (nothing is written on any error)
  validate PATH...         validate dataset files without a database
  neo4j [-- CMD ARGS...]   run a local Neo4j; with CMD, run CMD with NEO4J_URI set, then stop
  export --format F [--ids A,B --depth N | --chain ID [--direction DOWN] | --from A --to B | --elements FILE] [--out FILE]
                           write a subgraph as graphml, gexf, cytoscape, csv (a zip), csv-nodes, csv-edges,
                           csv-sources, csv-citations or ftm (FollowTheMoney)
  synth --scale S|M|L [--seed N] [--load] [--out DIR]
                           generate a synthetic test dataset (never real data); load it and/or write it as files
  keys create --name N [--label L] --role editor | keys list | keys revoke ID
                           manage API keys (writes need an editor or admin key)
  healthcheck [--url URL]  exit 0 if URL (default http://127.0.0.1:8080/readyz) answers 200 (for containers)

Run 'aidtrace <command> -h' for the flags of a command.
`

// Run runs one command and returns the process exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = m.serve(ctx, args[1:])
	case "load":
		err = m.load(ctx, args[1:])
	case "validate":
		err = m.validate(args[1:])
	case "neo4j":
		err = m.neo4j(ctx, args[1:])
	case "export":
		err = m.export(ctx, args[1:])
	case "synth":
		err = m.synth(ctx, args[1:])
	case "keys":
		err = m.keys(ctx, args[1:])
	case "healthcheck":
		err = m.healthcheck(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(m.Stderr, "aidtrace: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var exit exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return int(exit)
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(m.Stderr, "aidtrace %s: %v\n", args[0], err)
	return 1
}

// exitCode is an error that only sets the exit status (its message was shown).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

var errUsage = errors.New("usage")
