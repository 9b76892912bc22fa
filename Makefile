# aidtrace — the two commands that matter: `make run` and `make test`
# (`make test-fast`: the layers above the store in under two minutes, no JVM).
GO  ?= go
BIN := bin/aidtrace
# Memory for the throwaway test Neo4j (this machine: 2 cores, 24 GiB, shared).
TEST_NEO4J := --temp --neo4j-heap-mb 1024 --neo4j-pagecache-mb 256

.PHONY: all build run test test-fast test-go test-deps test-tools web-deps check fmt-check vet staticcheck generate check-generated validate clean web check-web bench-api loadtest

all: build

build:
	$(GO) build -o $(BIN) ./cmd/aidtrace

## run: build, start the local Neo4j (unless NEO4J_URI is set), load seeds/, serve on :8080
run: build
	./$(BIN) serve --load seeds

## test-deps: what the Go tests need besides Go and Java: graphql-http, whose GraphQL-over-HTTP
## audit internal/server's tests run (npm ci, again only when its package-lock.json changes)
HTTP_AUDIT := internal/server/testdata/http-audit
test-deps: $(HTTP_AUDIT)/node_modules/.package-lock.json
$(HTTP_AUDIT)/node_modules/.package-lock.json: $(HTTP_AUDIT)/package-lock.json
	cd $(HTTP_AUDIT) && npm ci --no-audit --no-fund

## test: static checks, then every Go test (race detector) and a short run of each fuzz target,
## in two groups side by side (while one waits on Neo4j, a browser or a restart, the other
## computes; README.md has the timings):
##  - test-shared: the packages whose tests use the shared test Neo4j (they import
##    internal/neo4jtest), one package at a time against one throwaway Neo4j (or NEO4J_URI);
##  - test-beside: every other package, then the tests that bring their own Neo4j (named
##    TestOwnNeo4j...: the fault, supervision and signal tests; neo4jtest fails any of them
##    that reaches for the shared one), then the fuzz targets.
## The static checks run first, beside the installs the tests need.
test:
	@$(MAKE) --no-print-directory -j2 test-shared test-beside

OWN_NEO4J_TESTS := ^TestOwnNeo4j
GO_TEST := $(GO) test -race -p 1 -count=1 -timeout 25m
# $(call test_pkgs,1) lists the packages whose tests import internal/neo4jtest, 0 the others:
# a shell command for the recipes (make's $(shell) there would keep the groups from running
# side by side).
test_pkgs = $(GO) list -f '{{.ImportPath}}{{range .TestImports}} {{.}}{{end}}{{range .XTestImports}} {{.}}{{end}}' ./... | \
	awk '{ n = 0; for (i = 2; i <= NF; i++) if ($$i ~ /\/internal\/neo4jtest$$/) n = 1 } n == $(1) { print $$1 }'
.PHONY: test-shared test-beside
test-shared: check test-deps
	@$(MAKE) --no-print-directory build
	@if [ -n "$$NEO4J_URI" ]; then \
		echo "using NEO4J_URI=$$NEO4J_URI (its database will be emptied by the tests)"; \
		$(GO_TEST) -skip '$(OWN_NEO4J_TESTS)' $$($(call test_pkgs,1)); \
	else \
		./$(BIN) neo4j $(TEST_NEO4J) -- $(GO_TEST) -skip '$(OWN_NEO4J_TESTS)' $$($(call test_pkgs,1)); \
	fi
# The Neo4js of test-beside live a minute or less and answer few queries: their JVMs compile
# with C1 only, which halves the CPU a start costs (23 s of CPU to 13 s here; a start and stop
# took 12.8 s, now 10.6 s). The shared Neo4j keeps the full JIT: it answers queries for minutes
# (the store's tests took 181 s with it, 272 s with C1 only).
QUICK_JVM := JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1
test-beside: check test-tools
	$(QUICK_JVM) $(GO_TEST) $$($(call test_pkgs,0))
	$(QUICK_JVM) NEO4J_URI= $(GO_TEST) -run '$(OWN_NEO4J_TESTS)' $$($(call test_pkgs,1))
	$(MAKE) --no-print-directory fuzz FUZZTIME=5s FUZZMINTIME=1s

## test-fast: the tests of the layers above the store (domain, GraphQL, HTTP server, export)
## against the in-memory store internal/memstore, race detector on, no JVM and no Neo4j: built
## with -tags fast, which leaves out the files marked //go:build !fast (tests that need Neo4j).
## AIDTRACE_NO_NEO4J makes any test that still asks for Neo4j fail at once, and stops
## internal/localneo4j from starting one. `make test` runs all of these too, untagged.
FAST_PKGS := ./internal/domain/... ./internal/memstore/... ./graph/... ./internal/server/... ./internal/export/... ./internal/spelling/...
test-fast: test-deps test-tools web-deps
	AIDTRACE_NO_NEO4J=1 NEO4J_URI= $(GO) test -race -count=1 -tags fast -timeout 5m $(FAST_PKGS)

## check: the static checks, one after another (also under make -j): code generation and the
## explorer's build rewrite files that vet, staticcheck and the build read.
check:
	@for t in fmt-check check-generated check-web vet staticcheck validate; do $(MAKE) --no-print-directory $$t || exit 1; done

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## staticcheck: the linter, over the program and bench/. Pinned here, installed with
## `go install` into bin/tools the first time and again when the pin changes
## (v0.8.2 is release 2026.2.2, which runs on Go 1.26).
STATICCHECK_VERSION := v0.8.2
STATICCHECK := bin/tools/staticcheck-$(STATICCHECK_VERSION)
staticcheck: $(STATICCHECK)
	./$(STATICCHECK) ./...
	cd bench && ../$(STATICCHECK) ./...

$(STATICCHECK):
	rm -rf bin/tools/.install
	GOBIN=$(CURDIR)/bin/tools/.install $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv bin/tools/.install/staticcheck $@
	rm -rf bin/tools/.install

## test-tools: the tools the export tests read exports with, from PyPI into .venv
## (followthemoney, networkx; pinned in test-requirements.txt). Cytoscape.js comes
## with `make web`. Reinstalled when test-requirements.txt changes.
PYTHON ?= python3
test-tools: .venv/installed

.venv/installed: test-requirements.txt
	rm -rf .venv
	$(PYTHON) -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check -r test-requirements.txt
	touch $@

## generate: regenerate gqlgen code from schema/*.graphqls and the generated sections of seeds/README.md
generate:
	$(GO) generate ./graph/... ./web/...
	$(GO) run ./cmd/aidtrace validate --readme seeds/README.md seeds

## check-generated: fail when the committed generated code is stale
check-generated: generate
	@git diff --quiet --exit-code -- graph/ schema/ seeds/README.md web/src/registry.json || { git --no-pager diff --stat -- graph/ schema/ seeds/README.md web/src/registry.json; echo "generated code is stale: run 'make generate' and commit it"; exit 1; }
	@if [ -n "$$(git ls-files --others --exclude-standard -- graph/ schema/)" ]; then echo "untracked generated files in graph/ or schema/: commit them"; exit 1; fi

## web: build the explorer (web/dist is embedded in the binary and committed)
web: web-deps
	cd web && npm run build

## web-deps: the explorer's npm packages (npm ci, again only when web/package-lock.json changes);
## the export tests load exports with its Cytoscape.js
web-deps: web/node_modules/.package-lock.json
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

## check-web: rebuild the explorer, fail when the committed web/dist is stale, run its unit tests
check-web: web
	@git diff --quiet --exit-code -- web/dist || { git --no-pager diff --stat -- web/dist; echo "web/dist is stale: run 'make web' and commit it"; exit 1; }
	@if [ -n "$$(git ls-files --others --exclude-standard -- web/dist)" ]; then echo "untracked files in web/dist: commit them"; exit 1; fi
	cd web && npm test

## bench-api: p50/p99 latency of each query shape over HTTP on the seed dataset
bench-api: build
	./$(BIN) neo4j $(TEST_NEO4J) -- $(GO) test -run '^$$' -bench BenchmarkSeedQueries -benchtime 200x ./cmd/aidtrace

## loadtest: fixed-rate mixed load, a saturation burst, then the fixed rate again, against a
## server on loopback with the seeds (about 2 minutes); results in bench/loadtest-results.json
LOADTEST_ARGS ?=
loadtest: build
	cd bench && $(GO) build -o ../bin/loadtest ./cmd/loadtest
	./$(BIN) neo4j $(TEST_NEO4J) -- ./bin/loadtest --server ./bin/aidtrace --load seeds --out bench/loadtest-results.json $(LOADTEST_ARGS)

## validate: check the seed dataset without a database
validate: build
	./$(BIN) validate seeds

clean:
	rm -rf bin internal/localneo4j/launcher/target .venv

## bench: load a synthetic graph (SCALE=S, M or L) into a throwaway Neo4j with APOC core, then measure
## aidtrace, the same Cypher through the Go driver, and the Neo4j GraphQL Library (docs/BENCHMARKS.md).
## Not part of make test. BENCH_ARGS passes flags to `aidbench run` (e.g. --soak 5m).
SCALE ?= S
BENCH_ARGS ?=
BENCH_NEO4J := --neo4j-port 0 --neo4j-heap-mb 2048 --neo4j-pagecache-mb 2048
.PHONY: bench bench-quick bench-load bench-deps
bench-deps: build
	cd bench/apoc && mvn -B -q dependency:copy-dependencies -DoutputDirectory=target/plugins -DincludeScope=runtime
	cd bench/neo4j-graphql && npm ci --no-audit --no-fund
	cd bench && $(GO) build -o ../bin/aidbench ./cmd/aidbench

bench: bench-deps
	@dir=$$(mktemp -d /tmp/aidtrace-bench-XXXXXX) && mkdir -p $$dir/plugins && cp bench/apoc/target/plugins/*.jar $$dir/plugins/ && \
	cd bench && AIDBENCH_COMMAND="make bench SCALE=$(SCALE) BENCH_ARGS='$(BENCH_ARGS)'" \
		../$(BIN) neo4j --data-dir $$dir $(BENCH_NEO4J) -- ../bin/aidbench run --scale $(SCALE) $(BENCH_ARGS); \
	rc=$$?; rm -rf $$dir; exit $$rc

## bench-quick: the same, shorter (one rate, 5-second attacks)
bench-quick:
	$(MAKE) bench SCALE=$(SCALE) BENCH_ARGS="--rates 20 --duration 5s --sat-duration 5s --warmup 2s --out results-quick.json $(BENCH_ARGS)"

## bench-load: bulk-load speed (batch sizes, workers, the one-MERGE-per-relation baseline, first load and reload) at SCALE (default M here)
bench-load: bench-deps
	@dir=$$(mktemp -d /tmp/aidtrace-bench-XXXXXX) && \
	cd bench && AIDBENCH_COMMAND="make bench-load SCALE=$(if $(filter command line,$(origin SCALE)),$(SCALE),M)" \
		../$(BIN) neo4j --data-dir $$dir $(BENCH_NEO4J) -- ../bin/aidbench load --reset --scale $(if $(filter command line,$(origin SCALE)),$(SCALE),M) $(BENCH_ARGS); \
	rc=$$?; rm -rf $$dir; exit $$rc

## fuzz: run every fuzz target for FUZZTIME (default 60s) each, no database needed.
## A failure is saved under the package's testdata/fuzz/ and then replays in every go test.
FUZZTIME ?= 60s
FUZZMINTIME ?= 5s
FUZZ_TARGETS := \
	./internal/domain:FuzzParsePartialDate ./internal/domain:FuzzActiveOn ./internal/domain:FuzzIDs \
	./internal/ingest:FuzzParseFile ./internal/ingest:FuzzCheck \
	./internal/neo4jstore:FuzzLuceneQuery ./internal/neo4jstore:FuzzEscapeLucene \
	./internal/server:FuzzGraphQLRequest
## Go 1.26 may fail a run with a bare "context deadline exceeded" when the fuzz time
## runs out (go.dev/issue/75804): without a failing input written, that is not a finding.
.PHONY: fuzz
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; echo "== $$name ($$pkg, $(FUZZTIME))"; \
		out=$$($(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME) -parallel 1 2>&1); rc=$$?; \
		echo "$$out" | grep -v '^fuzz: elapsed'; echo "$$out" | grep '^fuzz: elapsed' | tail -n 1; \
		if [ $$rc -ne 0 ]; then \
			if echo "$$out" | grep -q 'Failing input written' || ! echo "$$out" | grep -qx '    context deadline exceeded'; then exit 1; fi; \
			echo "(no failing input: the fuzz-time race of go.dev/issue/75804, not a finding)"; \
		fi; \
	done
