# aidtrace — the two commands that matter: `make run` and `make test`.
GO  ?= go
BIN := bin/aidtrace
# Memory for the throwaway test Neo4j (this machine: 2 cores, 24 GiB, shared).
TEST_NEO4J := --temp --neo4j-heap-mb 1024 --neo4j-pagecache-mb 256

.PHONY: all build run test test-go check fmt-check vet generate check-generated validate clean web check-web

all: build

build:
	$(GO) build -o $(BIN) ./cmd/aidtrace

## run: build, start the local Neo4j (unless NEO4J_URI is set), load seeds/, serve on :8080
run: build
	./$(BIN) serve --load seeds

## test: static checks, then every Go test (race detector) against one throwaway Neo4j
test: check build
	@if [ -n "$$NEO4J_URI" ]; then \
		echo "using NEO4J_URI=$$NEO4J_URI (its database will be emptied by the tests)"; \
		$(GO) test -race -p 1 -count=1 ./...; \
	else \
		./$(BIN) neo4j $(TEST_NEO4J) -- $(GO) test -race -p 1 -count=1 ./...; \
	fi

check: fmt-check vet check-generated validate check-web

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## generate: regenerate gqlgen code from schema/*.graphqls
generate:
	$(GO) generate ./graph/...

## check-generated: fail when the committed generated code is stale
check-generated: generate
	@git diff --quiet --exit-code -- graph/ schema/ || { git --no-pager diff --stat -- graph/ schema/; echo "generated code is stale: run 'make generate' and commit it"; exit 1; }
	@if [ -n "$$(git ls-files --others --exclude-standard -- graph/ schema/)" ]; then echo "untracked generated files in graph/ or schema/: commit them"; exit 1; fi

## web: build the explorer (web/dist is embedded in the binary and committed)
web:
	cd web && npm ci --no-audit --no-fund && npm run build

## check-web: rebuild the explorer, fail when the committed web/dist is stale, run its unit tests
check-web: web
	@git diff --quiet --exit-code -- web/dist || { git --no-pager diff --stat -- web/dist; echo "web/dist is stale: run 'make web' and commit it"; exit 1; }
	@if [ -n "$$(git ls-files --others --exclude-standard -- web/dist)" ]; then echo "untracked files in web/dist: commit them"; exit 1; fi
	cd web && npm test

## validate: check the seed dataset without a database
validate: build
	./$(BIN) validate seeds

clean:
	rm -rf bin internal/localneo4j/launcher/target

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
