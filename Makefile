# Everyday targets. `make run` and `make test` set up what they need first.
VENV := .venv/bin
SAM := .tools/sam/bin/sam
PY_PATHS := layers/intake/python functions infra/local infra/build tests bench
N ?= 200

.PHONY: setup run up test test-fast test-browser lint format sam-build bench load openapi schema checkov clean

setup:
	@bash scripts/setup.sh

run: setup  ## the main job: the whole referral pipeline on the local stack
	$(VENV)/intake run $(ARGS)

up: setup  ## keep the local stack running (moto :5000, liaison API :8080)
	$(VENV)/intake local up

test: setup lint sam-build  ## what CI runs (in-process moto and the local stack apart: see tests/conftest.py)
	$(VENV)/pytest -n 2 --dist loadfile -q -m "not stack"
	$(VENV)/pytest -n 3 --dist loadfile -q -m stack --durations=12

test-browser: setup  ## the liaison web app in headless Chromium against the local stack (also part of `make test`)
	$(VENV)/pytest -q tests/browser

test-fast: setup  ## unit tier only
	$(VENV)/pytest -q tests/unit

lint: setup
	$(VENV)/ruff check $(PY_PATHS)
	$(VENV)/ruff format --check $(PY_PATHS)
	$(VENV)/mypy layers/intake/python/intake infra/local/intake_local infra/build bench
	@for handler in functions/*/app.py; do $(VENV)/mypy --no-error-summary $$handler || exit 1; done
	$(VENV)/python -m intake_local.template build/template.translated.json
	$(VENV)/cfn-lint template.yaml build/template.translated.json

sam-build: setup  ## the deployable build (arm64, no container), then its checks (sizes, arch, bytecode)
	@rm -rf .aws-sam/build; mkdir -p build
	@start=$$(date +%s); SAM_CLI_TELEMETRY=0 $(SAM) build > build/sam-build.log 2>&1 \
	  || { tail -40 build/sam-build.log; exit 1; }; \
	  echo "sam build: succeeded in $$(( $$(date +%s) - start )) s (log: build/sam-build.log)"
	$(VENV)/python infra/build/check_build.py

bench: setup  ## figures, not tests: cold start per function, AWS requests, cost and CPU per referral, X12, domain
	$(VENV)/python bench/cold_start.py
	$(VENV)/python bench/aws_requests.py
	$(VENV)/python bench/cpu_per_referral.py
	$(VENV)/python bench/bench_x12.py
	$(VENV)/python bench/bench_domain.py
	$(VENV)/python bench/bench_directory.py
	POWERTOOLS_LOG_LEVEL=ERROR $(VENV)/python bench/bench_polling.py
	$(VENV)/python bench/bench_bad_inputs.py
	POWERTOOLS_LOG_LEVEL=ERROR $(VENV)/python bench/bench_sweep.py

load: setup  ## N distinct referrals through the local stack (make load N=200 [RATE=per minute] [CAPACITY=1]); fails if any is lost
	$(VENV)/python bench/load.py --referrals $(N) $(if $(RATE),--rate $(RATE)) $(if $(CAPACITY),--capacity)

openapi: setup
	$(VENV)/intake api openapi --out docs/openapi.json

schema: setup
	$(VENV)/python -c "import json; from intake.models.referral import Referral; \
	open('schemas/referral.schema.json','w').write(json.dumps(Referral.model_json_schema(), indent=2, ensure_ascii=False)+'\n')"

checkov: setup  ## the security scan: fails on a failure the table in docs/design.md does not accept
	test -x .tools/checkov/bin/checkov || (python3 -m venv .tools/checkov && .tools/checkov/bin/pip install -q checkov==3.2.533)
	$(VENV)/python -m intake_local.template build/template.translated.json
	$(VENV)/python scripts/checkov_gate.py

clean:
	rm -rf build .aws-sam .pytest_cache .mypy_cache .ruff_cache
