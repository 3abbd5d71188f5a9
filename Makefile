# Two commands on a fresh machine (Oscar's `make sandbox` habit):
#   make demo   builds the demonstration group in ./data and serves it on http://127.0.0.1:$(PORT)
#   make test   runs the whole suite (SQLite; set DATABASE_URL for another database)
# and for CI: make test-pg (the suite on PostgreSQL at 127.0.0.1:5432).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DANGJIAN_DATA ?= data
PG_URL ?= postgres://postgres@127.0.0.1:5432/dangjian
export DANGJIAN_DATA

.PHONY: demo test test-pg install install-test browsers

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "需要 Python 3.11 或更高版本（当前 $(PYTHON)：$$($(PYTHON) --version 2>&1)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Editable installs: reinstalled only when pyproject.toml changes (the stamp files record the last one).
install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $@ $(VENV)/.installed

demo: install
	mkdir -p "$(DANGJIAN_DATA)"
	$(BIN)/dangjian migrate --noinput
	DANGJIAN_DEMO=1 PORT=$(PORT) $(BIN)/dangjian demo --port $(PORT)

# The browser tests drive Debian's chromium with CJK fonts. Installed here when missing and we are root;
# otherwise those tests are skipped and say why.
browsers:
	@if command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
		&& command -v pdftoppm >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "正在安装 chromium 和 fonts-noto-cjk（浏览器测试用）……"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium fonts-noto-cjk poppler-utils >/dev/null; } || echo "安装失败：浏览器测试将被跳过"; \
	else echo "未安装 chromium/fonts-noto-cjk 且当前不是 root：浏览器测试将被跳过"; fi

test: install-test browsers
	$(BIN)/pytest

test-pg: install-test browsers
	DATABASE_URL=$(PG_URL) $(BIN)/pytest

# `dangjian check` at scale (bench/README.md): builds a 200,000-member group once in $(BENCH_DATA) (reused
# afterwards; BENCH_ARGS=--rebuild to build it again), then times the check for the whole tree and one subtree.
BENCH_DATA ?= /tmp/dangjian_bench
.PHONY: bench-check
bench-check: install
	$(BIN)/python bench/check_bench.py --data "$(BENCH_DATA)" $(BENCH_ARGS)
