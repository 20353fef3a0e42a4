"""The book's build helpers: offline MathJax, the API page, diagrams, hidden bookkeeping."""

import importlib.util
import tarfile
from pathlib import Path

import pytest

from hybridrec_ref import book
from hybridrec_ref.data.fetch import DataUnavailableError

ROOT = Path(__file__).resolve().parents[1]


def _ext():
    spec = importlib.util.spec_from_file_location("hybridrec_sphinx", ROOT / "book" / "_ext" / "hybridrec_sphinx.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_bookkeeping_lines_are_hidden_and_the_rest_kept():
    strip = _ext().strip_source
    src = ('from hybridrec_ref.notebook import record\nx = 1\nrecord("a", x)\nrecord("b",\n       x + 1)\n'
           'for k in range(2):\n    record(f"k{k}", k)\n    y = k\ndf\n')
    out = strip(src)
    assert "record" not in out
    assert out == "x = 1\nfor k in range(2):\n    y = k\ndf"
    # a block whose body is only bookkeeping keeps it (removing it would break the code shown)
    loop = 'for k in range(2):\n    record(f"k{k}", k)\n'
    assert strip(loop) == loop.rstrip("\n")
    assert strip("def f(:\n") == "def f(:\n"  # unparsable source is left alone
    assert strip('record("only", 1)\n') == ""


def test_mathjax_archive_is_refused_when_its_checksum_differs(tmp_path, monkeypatch):
    bad = tmp_path / book.MATHJAX["file"]
    bad.write_bytes(b"not mathjax")
    monkeypatch.setattr(book.shutil, "which", lambda name: None)  # no npm: must not trust the bad file
    with pytest.raises(DataUnavailableError, match="npm"):
        book.mathjax_archive(tmp_path)


def test_vendor_mathjax_unpacks_the_browser_build(tmp_path, monkeypatch):
    # a stand-in archive with the package's layout, accepted by patching the pinned integrity
    pkg = tmp_path / "pkg"
    for rel in ("es5/tex-chtml.js", "es5/output/chtml/fonts/woff-v2/x.woff", "es5/tex-svg.js", "README.md"):
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(rel)
    archive = tmp_path / "cache" / book.MATHJAX["file"]
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(pkg, arcname="package")
    monkeypatch.setitem(book.MATHJAX, "integrity", book._integrity(archive))
    entry = book.vendor_mathjax(tmp_path / "out", cache=tmp_path / "cache")
    assert entry.read_text() == "es5/tex-chtml.js"
    assert (entry.parent / "output/chtml/fonts/woff-v2/x.woff").exists()
    assert not (entry.parent / "tex-svg.js").exists()  # only what tex-chtml.js loads


def test_api_page_covers_every_public_module():
    groups = book.api_modules()
    modules = [m for mods in groups.values() for m in mods]
    assert "hybridrec_ref.cf.als" in modules and "hybridrec_ref.fusion.mixed" in modules
    assert not any(m.rsplit(".", 1)[-1].startswith("_") for m in modules)
    page = book.api_page()
    assert page.startswith("(app-api)=") and ".. automodule:: hybridrec_ref.cf.als" in page


def test_application_diagrams_are_svg(tmp_path):
    paths = book.write_diagrams(tmp_path)
    assert {p.name for p in paths} == {f"app-{k}.svg" for k in book.APPLICATION_FLOWS}
    for p in paths:
        text = p.read_text()
        assert text.lstrip().startswith("<?xml") and "<svg" in text


def test_integer_ticks():
    import matplotlib.pyplot as plt

    from hybridrec_ref.viz import integer_ticks

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [0, 1, 0])
    integer_ticks(ax)
    fig.canvas.draw()
    ticks = ax.get_xticks()
    assert all(float(t).is_integer() for t in ticks)
    plt.close(fig)


def test_docstrings_that_are_not_clean_rest_are_shown_verbatim():
    ext = _ext()
    clean = ["A model (see :class:`Foo`).", "", "Uses ``x`` and *emphasis*."]
    lines = list(clean)
    ext.safe_docstring(None, "class", "X", None, {}, lines)
    assert lines == clean  # clean reST (Sphinx roles included) is left to Sphinx
    messy = ["Minimises", "", "    sum |x_u|^2 over item_factors_", "", "Parameters", "----------", "a : int"]
    lines = list(messy)
    ext.safe_docstring(None, "class", "X", None, {}, lines)
    assert lines[:2] == ["::", ""] and lines[2] == "    Minimises"  # a literal block: nothing to misparse
