# aidtrace — the two commands that matter: `make run` and `make test`.
GO  ?= go
BIN := bin/aidtrace
# Memory for the throwaway test Neo4j (this machine: 2 cores, 24 GiB, shared).
TEST_NEO4J := --temp --neo4j-heap-mb 1024 --neo4j-pagecache-mb 256

.PHONY: all build run test test-go check fmt-check vet generate check-generated validate clean

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

check: fmt-check vet check-generated validate

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

## validate: check the seed dataset without a database
validate: build
	./$(BIN) validate seeds

clean:
	rm -rf bin internal/localneo4j/launcher/target
