"""Every place a package docstring points to exists in the book (issue 9: docstrings point to places that exist).

A docstring may cite

- ``chapter N`` (or ``chapters N, M and K``): N must be a chapter listed in ``_toc.yml``, or the same
  docstring must also name that chapter's label from the shared list (``ch-tuning`` for chapter 13),
  which says which chapter a not-yet-merged number means;
- a section by its title in quotes after the chapter (``chapter 3, "Matrix factorisation"``): the title
  must be a heading of that chapter's notebook. Numbered sections (``section 3.2``) are not allowed: the
  book does not number sections, so the reader could not find them (a paper's section, cited with its
  year just before, as in ``Koren 2010, section 2.1``, is fine);
- a MyST label in double backticks (``ch-cf``, ``sec-hybrid-mixed``, ``app-reproducing``): it must be
  defined as ``(label)=`` in a notebook's markdown or a page under book/, or be a chapter label from
  the shared list.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hybridrec_ref"

#: the shared chapter labels (briefs/labels.md): number -> label
SHARED = {1: "ch-background", 2: "ch-lm", 3: "ch-cf", 4: "ch-content", 5: "ch-deep", 6: "ch-hybrid",
          7: "ch-training", 8: "ch-multimodal", 9: "ch-evaluation", 10: "ch-llm", 11: "ch-social",
          12: "ch-ecommerce", 13: "ch-tuning", 14: "ch-scale", 15: "ch-applications"}

CHAPTERS = re.compile(r"\b[Cc]hapters?\s+(\d+(?:\s*(?:,|and|or)\s*\d+)*)")
SECTION_NUMBER = re.compile(r"\b[Ss]ections?\s+\d+(?:\.\d+)+")
CITED_YEAR = re.compile(r"(?:19|20)\d\d[a-z]?,?\s*$")
QUOTED_SECTION = re.compile(r"\b[Cc]hapter\s+(\d+)\b[^\"\n]{0,40}\"([^\"\n]+)\"")
LABEL = re.compile(r"``((?:ch|sec|app|fig|tab|eq)-[a-z0-9-]+)``")


def _toc_chapters() -> dict[int, Path]:
    text = (ROOT / "_toc.yml").read_text()
    out = {}
    for m in re.finditer(r"file:\s*notebooks/(\d\d)_(\S+)", text):
        out[int(m.group(1))] = ROOT / "notebooks" / f"{m.group(1)}_{m.group(2)}.ipynb"
    for m in re.finditer(r"file:\s*book/applications\b", text):
        out[15] = ROOT / "book" / "applications.md"
    return out


def _markdown(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text()


def _defined_labels() -> set[str]:
    labels = set(SHARED.values())
    for path in list((ROOT / "notebooks").glob("*.ipynb")) + list((ROOT / "book").glob("*.md")):
        labels.update(re.findall(r"^\(([A-Za-z0-9_-]+)\)=\s*$", _markdown(path), flags=re.M))
    return labels


def _headings(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {m.group(1).strip() for m in re.finditer(r"^#{1,4}\s+(.+)$", _markdown(path), flags=re.M)}


def _docstrings():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in [tree] + [n for n in ast.walk(tree)
                              if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]:
            doc = ast.get_docstring(node, clean=False)
            if doc:
                where = path.relative_to(ROOT).as_posix() + ("" if node is tree else f"::{node.name}")
                yield where, doc


def problems(docs, toc: dict[int, Path], labels: set[str]) -> list[str]:
    """Every unresolvable reference in ``docs`` (pairs of where, docstring), as readable strings."""
    out = []
    for where, doc in docs:
        for m in CHAPTERS.finditer(doc):
            for n in map(int, re.findall(r"\d+", m.group(1))):
                if n not in toc and not (n in SHARED and f"``{SHARED[n]}``" in doc):
                    out.append(f"{where}: 'chapter {n}' is not in _toc.yml (cite its label, e.g. ``{SHARED.get(n, 'ch-...')}``)")
        for m in SECTION_NUMBER.finditer(doc):
            if not CITED_YEAR.search(doc[max(0, m.start() - 20):m.start()]):
                out.append(f"{where}: '{m.group(0)}': the book does not number sections; cite the section title or label")
        for m in QUOTED_SECTION.finditer(doc):
            n, title = int(m.group(1)), m.group(2)
            if n in toc and title not in _headings(toc[n]):
                out.append(f"{where}: chapter {n} has no section \"{title}\"")
        for label in LABEL.findall(doc):
            if label not in labels:
                out.append(f"{where}: label ``{label}`` is defined nowhere in notebooks/ or book/")
    return out


def test_every_docstring_reference_resolves():
    found = problems(_docstrings(), _toc_chapters(), _defined_labels())
    assert not found, "\n".join(found)


@pytest.mark.parametrize("doc", [
    "See chapter 16.",                                   # no such chapter
    "Chapters 3 and 17 explain it.",                     # one of two missing
    "The item side (section 3.7 of the outline).",       # numbered section
    "See ``sec-nowhere-defined``.",                      # unknown label
    'Matrix factorisation (chapter 3, "Matrix factorization").',  # no such heading
])
def test_the_checker_catches_broken_references(doc):
    assert problems([("x", doc)], _toc_chapters(), _defined_labels())


@pytest.mark.parametrize("doc", [
    "See chapter 3.",
    'MF (chapter 3, ``ch-cf``, "Matrix factorisation").',
    "Tuning (chapters 6 and 13: ``ch-hybrid``, ``ch-tuning``).",
    "Baselines (Koren 2010, section 2.1).",
])
def test_the_checker_accepts_good_references(doc):
    assert problems([("x", doc)], _toc_chapters(), _defined_labels()) == []
