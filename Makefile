# oGPU — set-up, node, tests. `make start` and `make test` work on a fresh machine.
COMETBFT_VERSION := v0.38.26
BIN := $(CURDIR)/.bin
COMETBFT := $(BIN)/cometbft
GRPCURL_VERSION := v1.9.3
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

.PHONY: install deps cometbft abci-cli kubo grpcurl build typecheck start test bench proto clean clean-devnet

## install: system packages (deps), npm dependencies (npm ci), the pinned CometBFT binary, its abci-cli, kubo and grpcurl in .bin/
install: deps node_modules/.installed cometbft abci-cli kubo grpcurl

## deps: Debian packages (apt-get, via sudo when not root), each skipped when dpkg has it:
## bubblewrap (the worker's job sandbox; prlimit/setpriv come with util-linux), python3-numpy
## and python3-torch (CPU build; the example programs in examples/programs and their tests —
## they install into /usr/bin/python3, which programs name explicitly); podman (the `oci`
## program runtime, worker/executors/oci.ts: offered only where it can create containers);
## python3-scipy (the scheduler benchmark's reference solver, bench/reference/scipy_lsa.py);
## prometheus (with promtool: test/e2e/prometheus.e2e.test.ts scrapes a devnet with the rules in ops/).
DEB_PACKAGES := bubblewrap python3-numpy python3-torch podman python3-scipy prometheus chromium
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then \
		echo "system packages present: $(DEB_PACKAGES)"; \
	else \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing || \
			{ $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; }; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## abci-cli: CometBFT's example apps at the same pinned version (the benchmarks' kvstore reference,
## bench/kvstore-reference.ts), skipped when present (`abci-cli version` prints the ABCI version, not CometBFT's)
abci-cli:
	@if [ -x $(BIN)/abci-cli ]; then \
		echo "abci-cli $(COMETBFT_VERSION) present"; \
	else \
		echo "installing abci-cli $(COMETBFT_VERSION) into $(BIN)"; \
		mkdir -p $(BIN) && GOBIN=$(BIN) go install github.com/cometbft/cometbft/abci/cmd/abci-cli@$(COMETBFT_VERSION); \
	fi

## cometbft: go install the pinned version, skipped when .bin/cometbft already is that version
cometbft:
	@if [ "$$($(COMETBFT) version 2>/dev/null)" = "$(COMETBFT_VERSION:v%=%)" ]; then \
		echo "cometbft $(COMETBFT_VERSION) present"; \
	else \
		echo "installing cometbft $(COMETBFT_VERSION) into $(BIN)"; \
		mkdir -p $(BIN) && GOBIN=$(BIN) go install github.com/cometbft/cometbft/cmd/cometbft@$(COMETBFT_VERSION); \
	fi

## kubo: the pinned IPFS node for `ogpud init --storage ipfs` (docs/storage.md), skipped when
## .bin/ipfs already is that version; scripts/install-kubo.sh says why it is not a plain `go install`
KUBO_VERSION := v0.43.1
kubo:
	@bash scripts/install-kubo.sh $(BIN) $(KUBO_VERSION)

## grpcurl: go install the pinned grpcurl (the gRPC e2e test queries the node with it), skipped when .bin/grpcurl exists
## (go-installed builds print no version to compare)
grpcurl:
	@if [ -x $(BIN)/grpcurl ]; then \
		echo "grpcurl present"; \
	else \
		echo "installing grpcurl $(GRPCURL_VERSION) into $(BIN)"; \
		mkdir -p $(BIN) && GOBIN=$(BIN) go install github.com/fullstorydev/grpcurl/cmd/grpcurl@$(GRPCURL_VERSION); \
	fi

## build: compile TypeScript to dist/ and the web dashboard (web/) to dist/ui, which the node serves at /ui
build: install
	npm run build
	npm run build:web

## start: a single-node devnet producing blocks, with a funded dev key
start: build
	node dist/testnet/start-devnet.js

## typecheck: tsc over everything, tests included (the build's tsconfig.json leaves tests out)
typecheck: install
	npx tsc -p tsconfig.test.json

## test: typecheck, then the whole suite (unit + end-to-end on real cometbft)
test: build typecheck
	npx vitest run

## bench: all benchmarks (`make bench B=tx` for one)
bench: build
	node dist/bench/run.js $(B)

## proto: regenerate TypeScript from proto/ (needs protoc)
proto:
	bash proto/generate.sh

clean-devnet:
	rm -rf .devnet

clean:
	rm -rf dist .devnet

## testnet: N validators on loopback (default 4), each with its auditor and its own kubo (STORAGE=ipfs, the default;
## STORAGE=local: node-local blobs), and WORKERS workers (default 4) on nodes 1..N-1:
## `make testnet N=4 WORKERS=4 [STORAGE=local]` (refuses while one runs), `make testnet-status` (storage and kubo peers
## per node too), `make testnet-down` (workers, auditors, nodes and their kubo daemons), `make testnet-clean`
N ?= 4
WORKERS ?= 4
STORAGE ?= ipfs
.PHONY: testnet testnet-down testnet-clean testnet-status
testnet: build
	OGPU_TESTNET_WORKERS=$(WORKERS) OGPU_TESTNET_STORAGE=$(STORAGE) node dist/testnet/cli.js up $(N)
testnet-down:
	node dist/testnet/cli.js down
testnet-clean:
	node dist/testnet/cli.js clean
testnet-status:
	node dist/testnet/cli.js status
