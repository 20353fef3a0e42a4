# hybridrec: build the book, run the tests. Both targets install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BUILD  := _build
SRC    := $(BUILD)/src

.PHONY: install data book execute test check-book lab bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (hybridrec)" >/dev/null
	touch $@

install: $(STAMP)

data: $(STAMP)
	$(BIN)/python -m hybridrec_ref.data

# Execute every chapter notebook (full parameters) into the book's build tree.
execute: data
	$(BIN)/python -m hybridrec_ref.notebook notebooks $(SRC)/notebooks

# Copy the book's prose and configuration beside the executed notebooks, then build
# with execution off and warnings as errors.
# MathJax is served from the book's own files: the build fetches the npm package
# mathjax@3.2.2 with `npm pack` (Node.js) and checks its pinned SHA-512.
book: execute
	$(BIN)/python -m hybridrec_ref.book $(SRC)
	@echo "Book built: $(CURDIR)/$(BUILD)/html/index.html"

# Every page of the built book in headless Chromium, network off (also run by `make test`,
# after the book test, as tests/test_book_browser.py).
check-book:
	$(BIN)/python -m hybridrec_ref.browser $(BUILD)/html --shots $(BUILD)/shots

test: data
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

bench: data
	for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(BUILD)
