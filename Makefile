# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: install demo test bench lab hooks clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (PMO kit)" >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pmo demo --workspace examples/sample-org --out reports --jobs $(JOBS)

# mypy first (configuration in pyproject.toml): a type error fails fast, before the slow suite.
test: $(STAMP)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Jupyter refuses to start as root unless told; containers often run as root.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# Strip outputs from notebooks as git stages them, so a notebook saved in Lab is committed clean.
# --keep-id keeps the cell ids stable (nbstripout --install does not record the flag, so set it after).
hooks: $(STAMP)
	$(BIN)/nbstripout --install --attributes .gitattributes
	git config filter.nbstripout.clean "'$(abspath $(BIN))/python' -m nbstripout --keep-id"

clean:
	rm -rf $(VENV) reports examples .pytest_cache

# The reports' translations (README, "Translating the reports"): extract every kit string into the
# template pmo_lib/locale/pmo.pot, merge it into each language's catalogue, compile the catalogues.
# A new language: make translation-init NEW=it, translate pmo_lib/locale/it/LC_MESSAGES/pmo.po, make translations.
PYBABEL := $(BIN)/pybabel
.PHONY: translations translation-init
translations: $(STAMP)
	$(PYBABEL) extract -F babel.cfg -k say -k nsay:1,2 --sort-by-file --no-wrap --add-comments=Translators: -o pmo_lib/locale/pmo.pot .
	$(PYBABEL) update -D pmo -i pmo_lib/locale/pmo.pot -d pmo_lib/locale --no-wrap --ignore-obsolete
	$(PYBABEL) compile -D pmo -d pmo_lib/locale --statistics

translation-init: $(STAMP)
	$(PYBABEL) init -D pmo -i pmo_lib/locale/pmo.pot -d pmo_lib/locale -l $(NEW) --no-wrap
