# SPDX-License-Identifier: Apache-2.0
#
# Build, test, lint and release art35. Every target is a plain go command;
# read it here rather than guess. The binary is static (CGO_ENABLED=0: the
# SQLite driver is pure Go), reproducible paths (-trimpath), stripped (-s -w)
# and stamped with its version (VCS stamping is off on some build machines,
# so the version is injected with -X).
#
#   make build     ./art35 for this machine
#   make test      go test -race -count=1 ./... with the SQLite engine (translated C)
#                  left uninstrumented, as .ci/run does (PostgreSQL halves: see docs/operations.md)
#   make lint      gofmt, go vet, staticcheck, go mod tidy check
#   make release   dist/art35-VERSION-OS-ARCH and dist/SHA256SUMS
#   make man completion   dist/art35.1 and dist/completion/* from the binary's own help

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GO      ?= go
LDFLAGS := -s -w -X main.version=$(VERSION)
GOBUILD := CGO_ENABLED=0 $(GO) build -buildvcs=false -trimpath -ldflags "$(LDFLAGS)"

# darwin is included because everything compiles and vets there (checked
# with GOOS=darwin go vet ./...); the key-file permission checks are POSIX.
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64

.PHONY: build test lint release man completion clean

build:
	$(GOBUILD) -o art35 ./cmd/art35

# The SQLite engine, modernc.org/sqlite (C translated to Go), is left out
# of -race's and checkptr's instrumentation: it was half the CPU of the
# storage tests under -race; every package of ours stays instrumented.
RACEFLAGS := -race -gcflags='modernc.org/...=-race=false -d=checkptr=0'

test:
	$(GO) test $(RACEFLAGS) -count=1 ./...

lint:
	@bad=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$bad" ]; then echo "gofmt would change:"; echo "$$bad"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) mod tidy -diff

release:
	rm -rf dist && mkdir -p dist
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; out=dist/art35-$(VERSION)-$$os-$$arch; \
		echo "build $$out"; \
		GOOS=$$os GOARCH=$$arch $(GOBUILD) -o $$out ./cmd/art35; \
	done
	cd dist && sha256sum art35-* > SHA256SUMS
	cat dist/SHA256SUMS

man: build
	mkdir -p dist
	./art35 man > dist/art35.1

completion: build
	mkdir -p dist/completion
	./art35 completion bash > dist/completion/art35.bash
	./art35 completion zsh > dist/completion/_art35
	./art35 completion fish > dist/completion/art35.fish

clean:
	rm -rf art35 dist
