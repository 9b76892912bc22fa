//go:build pprof

package main

// Profiling the server under load, for the engineers (docs/BENCHMARKS.md,
// "Running"). Only a binary built with -tags pprof has it: the endpoints of
// net/http/pprof, served on AIDTRACE_PPROF (an address such as
// 127.0.0.1:6061) by `aidtrace serve`, apart from the API. A release build
// never serves them.

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("AIDTRACE_PPROF"); addr != "" && len(os.Args) > 1 && os.Args[1] == "serve" {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
}
