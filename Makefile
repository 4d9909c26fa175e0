# GeoIndicators: every install step lives here, so a fresh Debian bookworm machine needs only
# `make demo` or `make test`. Re-running a target reuses what is installed.

SHELL := /bin/bash
PLUGIN := geoindicators
SYSTEM_PYTHON := /usr/bin/python3
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
DEPS := deps
STAMPS := .make
BUILD := build
# Debian's /usr/bin/qgis_process wrapper passes --noversioncheck, which qgis_process rejects.
QGIS_PROCESS := qgis_process.bin
export QT_QPA_PLATFORM ?= offscreen
PROFILE_PLUGINS ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default/python/plugins
APT_PACKAGES := qgis python3-qgis qgis-providers python3-pyproj python3-psycopg2 python3-venv python3-pip qttools5-dev-tools
# The tests start their own PostgreSQL server with PostGIS (and load it with Debian's ogr2ogr), and
# the QGIS desktop on a virtual X display (its main window cannot start on Qt's offscreen platform).
# debootstrap makes the Debian roots of the version matrix (QGIS 3.40 and 3.44, tools/qgis_root.py).
TEST_APT_PACKAGES := postgresql-15 postgresql-15-postgis-3 postgresql-client-15 gdal-bin xvfb xauth debootstrap
# The QGIS releases the tests run on besides this machine's: Debian suites, each in a root of its own.
QGIS_SUITES := trixie sid
ROOTS := .roots
PYTHON_TAG := $(shell $(SYSTEM_PYTHON) -c 'import sys; print(f"{sys.version_info[0]}{sys.version_info[1]}")' 2>/dev/null)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
PLUGIN_FILES := metadata.txt __init__.py plugin.py install_dependencies.py LICENSE requirements processing_provider core ui resources
REQUIREMENTS := $(wildcard requirements/*.txt)
TRANSLATIONS := $(patsubst %.ts,%.qm,$(wildcard resources/i18n/*.ts))

.PHONY: docs test-fast setup system test-system qgis-versions demo test bench zip install translations lint clean cluster cluster-stop

setup: system $(STAMPS)/venv $(STAMPS)/deps translations

# QGIS and the few system libraries, from Debian; checked on every run (a machine may be new
# while this folder is not).
system:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  echo "Installing QGIS and system packages from Debian (about 2 minutes)..."; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $(APT_PACKAGES); \
	fi

# A venv that sees Debian's PyQGIS, with the test tools; the plugin's deps/ folder is put on its
# path by a .pth file, so tests and QGIS load the very same libraries.
$(STAMPS)/venv: requirements/dev.txt | system
	@mkdir -p $(STAMPS)
	test -x $(VENV_PYTHON) || $(SYSTEM_PYTHON) -m venv --system-site-packages $(VENV)
	$(VENV_PYTHON) -m pip install -q --disable-pip-version-check -r requirements/dev.txt
	# Debian's pyproj looks for PROJ's data under sys.prefix, which a venv moves.
	mkdir -p $(VENV)/share && ln -sfn /usr/share/proj $(VENV)/share/proj
	echo "$(abspath $(DEPS))" > $$($(VENV_PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/geoindicators-deps.pth
	touch $@

test-system: system
	@if ! dpkg -s $(TEST_APT_PACKAGES) >/dev/null 2>&1; then \
	  echo "Installing PostgreSQL and PostGIS from Debian for the tests..."; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $(TEST_APT_PACKAGES); \
	fi

# The plugin's own dependencies in a folder the plugin puts first on sys.path, brought by the
# installer users run (install_dependencies.py): what QGIS's Python holds in a fitting release is kept.
$(STAMPS)/deps: $(REQUIREMENTS) install_dependencies.py | $(STAMPS)/venv
	rm -rf $(DEPS).partial
	$(SYSTEM_PYTHON) install_dependencies.py --cluster --earthengine --target $(DEPS).partial >/dev/null
	rm -rf $(DEPS) && mv $(DEPS).partial $(DEPS)
	touch $@

# geopandas and pyogrio for the benchmark's reference run, kept out of the QGIS process.
$(STAMPS)/bench-venv: requirements/bench.txt | system
	@mkdir -p $(STAMPS)
	test -x $(VENV)-bench/bin/python || $(SYSTEM_PYTHON) -m venv $(VENV)-bench
	$(VENV)-bench/bin/python -m pip install -q --disable-pip-version-check --only-binary :all: -r requirements/bench.txt
	touch $@

# The workers' own environment, from the requirements for this Python alone (worker-py311.txt for
# Debian bookworm's QGIS): no system site packages, no plugin code (the core travels with the tasks).
$(STAMPS)/worker-venv: $(REQUIREMENTS) | system
	@mkdir -p $(STAMPS)
	test -x $(VENV)-worker/bin/python || $(SYSTEM_PYTHON) -m venv $(VENV)-worker
	$(VENV)-worker/bin/python -m pip install -q --disable-pip-version-check --only-binary :all: -r requirements/worker-py$(PYTHON_TAG).txt
	touch $@

# A loopback cluster to try the remote path: scheduler on 127.0.0.1:8786, two workers.
cluster: $(STAMPS)/worker-venv
	$(VENV)-worker/bin/python tools/cluster.py start --env $(VENV)-worker --port 8786 --workers 2 --folder $(BUILD)/cluster

cluster-stop:
	@$(SYSTEM_PYTHON) tools/cluster.py stop --folder $(BUILD)/cluster

# Unused or undefined names, French strings missing from the translation file, and Qt 5-only
# spellings in what QGIS 4 (PyQt6) would run.
lint: $(STAMPS)/venv
	$(VENV)/bin/ruff check --select F --exclude deps,build,.venv,.venv-bench,.venv-worker,$(ROOTS) .
	$(VENV_PYTHON) tools/translations.py --check
	$(VENV_PYTHON) tools/qt6_check.py __init__.py plugin.py ui processing_provider tests/gui_scripts tests/qgis_plugins
	@# The plugin folder under its installed name (as the tests link it) for import-linter to find.
	@mkdir -p $(BUILD)/plugins && { test -e $(BUILD)/plugins/$(PLUGIN) || ln -s "$(CURDIR)" $(BUILD)/plugins/$(PLUGIN); }
	PYTHONPATH=$(BUILD)/plugins $(VENV)/bin/lint-imports --no-cache
	@# Not --quiet: it hides the warnings that --strict counts.
	$(VENV)/bin/mkdocs build --strict

# The documentation site (docs/, mkdocs.yml) into build/site.
docs: $(STAMPS)/venv
	$(VENV)/bin/mkdocs build --strict

translations: $(TRANSLATIONS)

%.qm: %.ts
	/usr/lib/qt5/bin/lrelease -silent $< -qm $@

# Copy the plugin (and its deps, byte-compiled by the installer) into the default QGIS profile,
# byte-compile the plugin too (a run would compile it again wherever it may not write bytecode),
# and enable it for qgis_process.
install: setup
	@dest="$(PROFILE_PLUGINS)/$(PLUGIN)"; mkdir -p "$(PROFILE_PLUGINS)"; rm -rf "$$dest.new"; mkdir -p "$$dest.new"; \
	tar -c --exclude=__pycache__ $(PLUGIN_FILES) | tar -x -C "$$dest.new" && tar -c $(DEPS) | tar -x -C "$$dest.new" && \
	$(SYSTEM_PYTHON) -m compileall -q "$$dest.new" >/dev/null; \
	rm -rf "$$dest" && mv "$$dest.new" "$$dest" && echo "Installed the plugin in $$dest"
	@# "plugins enable" exits 1 when the plugin is enabled already: ask the list instead.
	@$(QGIS_PROCESS) plugins 2>/dev/null | grep -qx '\* $(PLUGIN)' || $(QGIS_PROCESS) plugins enable $(PLUGIN) >/dev/null 2>&1; \
	if $(QGIS_PROCESS) plugins 2>/dev/null | grep -qx '\* $(PLUGIN)'; then echo "Enabled $(PLUGIN) for qgis_process"; \
	else echo "Could not enable $(PLUGIN) in qgis_process" >&2; exit 1; fi

demo: install
	$(VENV_PYTHON) bench/demo.py --qgis-process $(QGIS_PROCESS) --out $(BUILD)/demo

# The wheels an install into a stock QGIS of this machine brings, and a shapely too old, for the tests
# of the dependency installer (install_dependencies.py): it installs from this folder as from the index.
$(STAMPS)/test-wheels: $(REQUIREMENTS) install_dependencies.py | $(STAMPS)/venv
	rm -rf $(BUILD)/wheels.partial && mkdir -p $(BUILD)/wheels.partial
	$(SYSTEM_PYTHON) install_dependencies.py --cluster --earthengine --target $(BUILD)/wheels.partial/nothing-installed \
	  --download $(BUILD)/wheels.partial >/dev/null
	$(VENV_PYTHON) -m pip download -q --disable-pip-version-check --only-binary :all: --no-deps -d $(BUILD)/wheels.partial shapely==1.8.5.post1
	rm -rf $(BUILD)/wheels && mv $(BUILD)/wheels.partial $(BUILD)/wheels
	touch $@

# QGIS 3.40 (Debian trixie) and 3.44 (Debian sid), each in a Debian root under .roots/ with the Dask
# workers' environment of its Python: made once (about 3 minutes each), reused afterwards.
qgis-versions: test-system
	@for suite in $(QGIS_SUITES); do $(SUDO) $(SYSTEM_PYTHON) tools/qgis_root.py build $$suite || exit 1; done

test: install zip qgis-versions $(STAMPS)/worker-venv $(STAMPS)/bench-venv $(STAMPS)/test-wheels test-system
	$(VENV_PYTHON) -m pytest tests

# The inner loop: the QGIS-free and in-process tests, in about a minute (pytest.ini lists the kinds
# left out). make test stays the whole suite, and what CI runs.
test-fast: setup
	$(VENV_PYTHON) -m pytest -q -m "not (qgis_process or cluster or postgis or desktop or slow)" tests

bench: install $(STAMPS)/bench-venv $(STAMPS)/worker-venv test-system
	$(VENV_PYTHON) bench/overlay_bench.py --out $(BUILD)/bench --reference-python $(VENV)-bench/bin/python
	$(VENV_PYTHON) bench/overlay_bench.py --out $(BUILD)/bench --reference-python $(VENV)-bench/bin/python --shapes nonconvex --skip-cluster
	@# Small runs (300 units): every core busy, and whole qgis_process runs against QGIS's native ones.
	$(VENV_PYTHON) bench/overlay_bench.py --out $(BUILD)/bench --reference-python $(VENV)-bench/bin/python --units 300 --features 20000 --skip-cluster --whole-process
	$(VENV_PYTHON) bench/overlay_bench.py --out $(BUILD)/bench --reference-python $(VENV)-bench/bin/python --units 300 --features 20000 --shapes detailed --skip-cluster --whole-process
	$(VENV_PYTHON) bench/zonal_bench.py --out $(BUILD)/bench --reference-python $(VENV)-bench/bin/python
	$(VENV_PYTHON) bench/interpolation_bench.py --out $(BUILD)/bench --reference-python $(VENV)-bench/bin/python
	$(VENV_PYTHON) bench/h3_bench.py --out $(BUILD)/bench
	@# The packed R-tree against GDAL's own bulk loader, on QGIS 3.40's and 3.44's GDAL (the roots of make test).
	$(VENV_PYTHON) bench/rtree_bench.py
	$(VENV_PYTHON) bench/facts_bench.py --out $(BUILD)/bench

# The installable zip for the plugin repository: one top folder, no tests, caches nor deps.
zip: translations
	rm -rf $(BUILD)/zip && mkdir -p $(BUILD)/zip/$(PLUGIN)
	tar -c --exclude=__pycache__ --exclude='*.pyc' $(PLUGIN_FILES) | tar -x -C $(BUILD)/zip/$(PLUGIN)
	rm -f $(BUILD)/$(PLUGIN)-$(VERSION).zip
	cd $(BUILD)/zip && zip -q -r ../$(PLUGIN)-$(VERSION).zip $(PLUGIN)
	@echo "$(BUILD)/$(PLUGIN)-$(VERSION).zip"

clean:
	-$(SYSTEM_PYTHON) tools/cluster.py stop --folder $(BUILD)/cluster
	rm -rf $(BUILD) $(STAMPS) $(VENV) $(VENV)-bench $(VENV)-worker $(DEPS) $(DEPS).partial resources/i18n/*.qm
	$(SUDO) rm -rf --one-file-system $(ROOTS)
