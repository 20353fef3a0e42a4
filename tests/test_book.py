"""The book builds, strictly, from the executed notebooks (warnings are errors)."""

from pathlib import Path

from hybridrec_ref.book import build, toc_notebooks

ROOT = Path(__file__).resolve().parents[1]


def test_book_builds_with_warnings_as_errors(executed_notebook):
    for nb in toc_notebooks():
        executed_notebook(Path(nb).name)  # executes any chapter not run yet in this session
    index = build(ROOT / "_build" / "src")
    assert index.exists()
    html = (ROOT / "_build" / "html" / "notebooks" / "01_background.html").read_text()
    assert "fig-ml100k-glance" in html and "Traceback" not in html
