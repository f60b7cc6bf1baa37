# Two entry points for people (`make serve`, `make test`); everything they
# need is installed on the way, so both work on a fresh clone.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium

.PHONY: serve build check test bench bytecode chromium java hugo clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

serve: $(STAMP) bytecode
	$(PY) build.py --serve

build: $(STAMP) bytecode
	$(PY) build.py

check: $(STAMP) bytecode
	$(PY) build.py --check

# Every build is a fresh interpreter. Where PYTHONDONTWRITEBYTECODE is set
# (as on the machines here) it compiled the package from source each time,
# 60 ms of a build; compileall writes what is missing or stale, as pip does
# for an installed package. Each module is checked against its source.
bytecode: $(STAMP)
	@$(PY) -m compileall -q timeline

# Browser tests drive Debian's Chromium; Playwright's own browser download
# cannot work here, so the system package is the one we use.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is needed for the browser tests. Run: sudo apt-get install -y chromium" >&2; exit 1; \
	  fi; \
	fi

# The Nu HTML Checker (vnu.jar from npm) runs on Java.
java:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's default-jre-headless for the HTML checker..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else \
	    echo "Java is needed for the HTML checker. Run: sudo apt-get install -y default-jre-headless" >&2; exit 1; \
	  fi; \
	fi

# TimelineJS and the Nu HTML Checker, pinned in package-lock.json, for the tests.
node_modules/.installed: package.json package-lock.json | java
	npm ci --no-audit --no-fund
	touch $@

test: $(STAMP) bytecode chromium java node_modules/.installed
	$(PY) -m pytest

# The benchmark (docs/performance.md): tens of minutes at every size; Hugo,
# when it can be installed, for the comparison.
bench: $(STAMP) bytecode hugo
	$(PY) benchmarks/run.py --history-size 4000

hugo:
	@if ! command -v hugo >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's hugo for the comparison..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >/dev/null || \
	    echo "hugo could not be installed: the table will have no Hugo columns." >&2; \
	fi

clean:
	rm -rf public .cache test-artifacts
