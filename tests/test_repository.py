"""Repository hygiene: clean notebooks with a parameters cell, a table of contents that matches the files."""

import json
import subprocess
from pathlib import Path

import pytest

from hybridrec_ref.book import toc_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_cells_have_unique_ids(path):
    # nbformat 4.5 requires cell ids; without them every execution warns (and future nbformat refuses)
    nb = json.loads(path.read_text())
    ids = [c.get("id") for c in nb["cells"]]
    assert None not in ids, f"{path.name}: cells {[i for i, x in enumerate(ids) if x is None]} have no id"
    assert len(set(ids)) == len(ids), f"{path.name}: duplicate cell ids"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_a_parameters_cell_first(path):
    nb = json.loads(path.read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "parameters" in first.get("metadata", {}).get("tags", []), f"{path.name}: first code cell not tagged"
    source = "".join(first["source"])
    for name in ("SEED", "DEVICE", "SMOKE"):
        assert f"{name} =" in source, f"{path.name}: parameters cell lacks {name}"


def test_toc_lists_exactly_the_existing_chapters():
    listed = toc_notebooks()
    on_disk = [f"notebooks/{p.name}" for p in NOTEBOOKS]
    assert sorted(listed) == sorted(on_disk)
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    for f in files:
        assert any((ROOT / (f + ext)).exists() for ext in ("", ".md", ".ipynb")), f"_toc.yml lists missing {f}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make book" in readme


def test_no_data_file_is_tracked():
    tracked = subprocess.run(["git", "ls-files", "data"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert all(Path(p).suffix in (".json", ".md", "") or p.endswith(".gitkeep") for p in tracked), tracked


def test_bibliography_keys_are_unique_and_every_citation_is_defined():
    # sphinxcontrib-bibtex stops reading at a repeated key, so one duplicate hides later entries
    import re

    bib = (ROOT / "book" / "references.bib").read_text()
    keys = re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.M)
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    assert not repeated, f"references.bib repeats {repeated}"
    sources = [*(ROOT / "book").glob("*.md"), *NOTEBOOKS]
    cited = {k.strip() for p in sources
             for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", p.read_text()) for k in group.split(",")}
    assert cited, "no citations found; the pattern is out of date"
    assert not cited - set(keys), f"cited but not in references.bib: {sorted(cited - set(keys))}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_fits_88_columns(path):
    # the code on the page: an 88-column line shows without sideways scrolling at common widths
    # (`ruff format --line-length 88` keeps notebooks this way)
    nb = json.loads(path.read_text())
    long = [(i, line) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
            for line in "".join(c["source"]).splitlines() if len(line) > 88]
    assert not long, f"{path.name}: {len(long)} code lines over 88 columns, e.g. cell {long[0][0]}: {long[0][1]!r}"
