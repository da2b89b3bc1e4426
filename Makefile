# Two entry points for a fresh machine: `make chat` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: chat test bench check-content serve clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

chat: $(VENV)/.installed  ## set up, then chat with the bot in this terminal
	$(PY) -m bot chat

test: $(VENV)/.installed  ## set up, then run the whole test suite (starts its own redis-server)
	$(PY) -m pytest -n 2

check-content: $(VENV)/.installed
	$(PY) -m bot check-content

bench: $(VENV)/.installed  ## print speed and accuracy figures
	$(PY) benchmarks/faq_eval.py
	$(PY) benchmarks/engine_bench.py

serve: $(VENV)/.installed
	$(PY) -m bot serve

clean:
	rm -rf $(VENV)
