# Everyday targets. `make run` and `make test` set up what they need first.
VENV := .venv/bin
PY_PATHS := layers/intake/python functions infra/local tests bench

.PHONY: setup run up test test-fast lint format bench openapi schema clean

setup:
	@bash scripts/setup.sh

run: setup  ## the main job: the whole referral pipeline on the local stack
	$(VENV)/intake run $(ARGS)

up: setup  ## keep the local stack running (moto :5000, liaison API :8080)
	$(VENV)/intake local up

test: setup lint  ## what CI runs
	$(VENV)/pytest -n 2 --dist loadfile -q

test-fast: setup  ## unit tier only
	$(VENV)/pytest -q tests/unit

lint: setup
	$(VENV)/ruff check $(PY_PATHS)
	$(VENV)/ruff format --check $(PY_PATHS)
	$(VENV)/mypy layers/intake/python/intake infra/local/intake_local
	@for handler in functions/*/app.py; do $(VENV)/mypy --no-error-summary $$handler || exit 1; done
	$(VENV)/python -m intake_local.template build/template.translated.json
	$(VENV)/cfn-lint template.yaml build/template.translated.json

format: setup
	$(VENV)/ruff check --fix $(PY_PATHS)

bench: setup  ## speed and memory figures (not tests)
	$(VENV)/python bench/bench_x12.py
	$(VENV)/python bench/bench_domain.py
	POWERTOOLS_LOG_LEVEL=ERROR $(VENV)/python bench/bench_polling.py
	$(VENV)/python bench/bench_bad_inputs.py

openapi: setup
	$(VENV)/intake api openapi --out docs/openapi.json

schema: setup
	$(VENV)/python -c "import json; from intake.models.referral import Referral; \
	open('schemas/referral.schema.json','w').write(json.dumps(Referral.model_json_schema(), indent=2, ensure_ascii=False)+'\n')"

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
