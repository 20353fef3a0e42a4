"""The built book as a reader sees it: every page in headless Chromium with the network off.

Runs after ``tests/test_book.py`` (pytest takes files in order; ``make test`` runs both):
no console errors, no request that leaves the book, every image decodes, every formula
typeset by the bundled MathJax, every internal link and anchor resolves. Chromium is
installed with apt-get when missing and the test runs as root (CI); elsewhere install
it yourself (Debian/Ubuntu: ``apt-get install chromium``).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hybridrec_ref.browser import Browser, broken_links, check_pages, chromium_binary

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = Path(os.environ.get("HYBRIDREC_SHOTS", "/tmp/hybridrec-book-shots"))


def _ensure_chromium() -> str:
    found = chromium_binary()
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, capture_output=True)
        found = chromium_binary()
    if found is None:
        pytest.fail("the browser check needs Chromium: apt-get install chromium (or put chrome on PATH)")
    return found


@pytest.fixture(scope="module")
def reports():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: run tests/test_book.py (or `make book`) first")
    browser = Browser(_ensure_chromium())
    try:
        yield check_pages(HTML, shots=SHOTS, browser=browser)
    finally:
        browser.close()


def test_every_chapter_and_appendix_is_checked(reports):
    pages = {r.page for r in reports}
    assert "index.html" in pages and "notebooks/01_background.html" in pages, sorted(pages)
    assert len(reports) >= 15


def test_pages_load_offline_without_console_errors_or_external_requests(reports):
    problems = [p for r in reports for p in r.problems if ": console: " in p or ": external request: " in p]
    assert not problems, "\n".join(problems)


def test_every_image_decodes(reports):
    assert sum(r.images for r in reports) > 10  # the chapters' figures are there at all
    problems = [p for r in reports for p in r.problems if "image does not decode" in p]
    assert not problems, "\n".join(problems)


def test_every_formula_is_typeset_offline(reports):
    assert sum(r.math for r in reports) > 50
    problems = [p for r in reports for p in r.problems if ": raw TeX: " in p]
    assert not problems, "\n".join(problems)


def test_internal_links_and_anchors_resolve():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}")
    problems = broken_links(HTML)
    assert not problems, "\n".join(problems[:50])


def test_the_check_sees_a_broken_page(tmp_path):
    # the checker itself: a page with a raw formula, a missing image, a dead anchor and a
    # script error must be reported, or the tests above could pass on anything
    (tmp_path / "a.html").write_text(
        '<html><body><span class="math">\\(x^2\\)</span><img src="nope.png">'
        '<a href="#missing">x</a><a href="b.html">y</a><script>undefinedFunction()</script></body></html>')
    assert any("no anchor #missing" in p for p in broken_links(tmp_path))
    assert any("b.html -> missing file" in p for p in broken_links(tmp_path))
    browser = Browser(_ensure_chromium())
    try:
        [rep] = check_pages(tmp_path, browser=browser)
    finally:
        browser.close()
    assert rep.raw_tex and rep.broken_images and rep.console_errors, rep
