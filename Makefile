# Ofsted ECF/NPQ lead-provider inspections: the entry point for building, testing and running.
# `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

.PHONY: build
build: ## build every crate (debug)
	$(CARGO) build --workspace --all-targets

.PHONY: lint
lint: ## formatting check and clippy with warnings as errors
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

.PHONY: services
services: ## make sure Postgres and NATS (JetStream) run locally, installing them on Debian if missing
	bash deploy/local/ensure-services.sh

.PHONY: test
test: services ## run every test (unit, property, integration) against the real Postgres and NATS
	$(CARGO) nextest run --workspace --no-fail-fast

.PHONY: bench
bench: services ## benchmarks (release build, about 5 minutes): throughput vs pgbench, freshness, queries, rebuild, memory; writes target/bench/results.json
	$(CARGO) build --release -p bench -p command-service -p projection-service
	$(CARGO) run --release -q -p bench -- $(BENCH_ARGS)

.PHONY: fmt
fmt: ## format the code
	$(CARGO) fmt --all

.PHONY: run
run: ## start Postgres and NATS if needed (installing them on Debian), build (release) and start both services in the background (.run/)
	bash deploy/local/run.sh start

.PHONY: stop
stop: ## stop what `make run` started, and only that
	bash deploy/local/run.sh stop

.PHONY: demo
demo: services ## a full inspection and an LPMV through their lifecycles on a private pair of services, printing the read models
	$(CARGO) run --release -q -p e2e --bin demo
