"""Read the built book the way a reader does: every page in headless Chromium, offline.

``python -m hybridrec_ref.browser _build/html [--shots DIR]`` opens every HTML page of
the built book (``make book``) in headless Chromium with the network switched off and
reports, per page, what a reader would hit:

- console errors and uncaught JavaScript exceptions;
- requests that leave the book (any URL that is not ``file:``, ``data:`` or ``blob:``):
  the book must render without the internet;
- images that do not decode (``naturalWidth == 0`` once loaded);
- formulas left as raw TeX (a Sphinx ``.math`` element that MathJax did not typeset);

and, statically over the HTML files, every internal link and ``#anchor`` that does not
resolve. ``tests/test_book_browser.py`` runs it after the book test. The browser is
driven through the Chrome DevTools protocol over a websocket (``websocket-client``);
nothing else is needed beyond a ``chromium`` binary (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-error:")


# ------------------------------------------------------------------ static link check
class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in ("img", "script") and a.get("src"):
            self.sources.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "preload"):
            self.sources.append(a["href"])


def _parse(path: Path) -> _Collector:
    c = _Collector()
    c.feed(path.read_text(encoding="utf-8", errors="replace"))
    return c


def broken_links(html_dir: str | Path) -> list[str]:
    """Internal links, anchors and local resources of every page that do not resolve."""
    html_dir = Path(html_dir).resolve()
    pages = {p: _parse(p) for p in sorted(html_dir.rglob("*.html"))
             if not any(part.startswith("_") for part in p.relative_to(html_dir).parts)}  # theme templates
    problems = []
    for page, found in pages.items():
        for href in found.links + found.sources:
            scheme = urlparse(href).scheme
            if scheme in ("http", "https", "mailto", "javascript", "data"):
                continue
            target, frag = urldefrag(href)
            target = urlparse(target).path  # drop ?v=... cache busters
            path = (page.parent / unquote(target)).resolve() if target else page
            if path.is_dir():
                path = path / "index.html"
            rel = page.relative_to(html_dir)
            if not path.exists():
                problems.append(f"{rel}: {href} -> missing file")
                continue
            if frag and path.suffix == ".html":
                ids = pages[path].ids if path in pages else _parse(path).ids
                if unquote(frag) not in ids:
                    problems.append(f"{rel}: {href} -> no anchor #{frag}")
    return problems


# ------------------------------------------------------------------ the browser
def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A headless Chromium and one page target, driven over the DevTools protocol."""

    def __init__(self, binary: str | None = None, width: int = 1400, height: int = 900, timeout: float = 60):
        import websocket  # websocket-client

        binary = binary or chromium_binary()
        if binary is None:
            raise FileNotFoundError("no chromium binary on PATH (Debian: apt-get install chromium)")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="hybridrec-chromium-")
        port = _free_port()
        args = [binary, "--headless=new", f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "--no-first-run", "--no-default-browser-check",
                "--disable-gpu", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--allow-file-access-from-files",
                "about:blank"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        targets = None
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    targets = [t for t in json.load(r) if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if not targets:
            self.close()
            raise RuntimeError("chromium did not open its DevTools endpoint")
        self.ws = websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=timeout,
                                              suppress_origin=True)
        self._id = 0
        self.events: list[dict] = []

    def send(self, method: str, **params):
        self._id += 1
        msg_id = self._id
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)
        raise TimeoutError(method)

    def wait_for(self, method: str, timeout: float | None = None) -> bool:
        deadline = time.time() + (timeout or self.timeout)
        if any(e.get("method") == method for e in self.events):
            return True
        self.ws.settimeout(1)
        try:
            while time.time() < deadline:
                try:
                    msg = json.loads(self.ws.recv())
                except Exception:  # websocket timeout: poll again
                    continue
                self.events.append(msg)
                if msg.get("method") == method:
                    return True
        finally:
            self.ws.settimeout(self.timeout)
        return False

    def evaluate(self, expression: str, await_promise: bool = False):
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in res:
            raise RuntimeError(f"page script failed: {res['exceptionDetails'].get('text')}")
        return res["result"].get("value")

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


# What a page reports once loaded and typeset (run inside the page).
_PAGE_STATE = """
(async () => {
  for (const img of document.images) { img.loading = 'eager'; }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
      new Promise(r => { img.onload = img.onerror = r; setTimeout(r, 5000); })));
  const math = Array.from(document.querySelectorAll('.math'));
  return {
    images: document.images.length,
    broken_images: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)
                        .map(i => i.getAttribute('src')),
    math: math.length,
    raw_tex: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60)),
    mathjax: !!(window.MathJax && MathJax.version),
    title: document.title,
  };
})()
"""


@dataclass
class PageReport:
    page: str
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    raw_tex: list[str] = field(default_factory=list)
    images: int = 0
    math: int = 0

    @property
    def problems(self) -> list[str]:
        out = [f"console: {e}" for e in self.console_errors]
        out += [f"external request: {u}" for u in self.external_requests]
        out += [f"image does not decode: {s}" for s in self.broken_images]
        out += [f"raw TeX: {t}" for t in self.raw_tex]
        return [f"{self.page}: {p}" for p in out]


def _console_errors(events: list[dict]) -> list[str]:
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append((d.get("exception", {}).get("description") or d.get("text", "exception")).splitlines()[0])
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append(f"{p['entry'].get('text')} ({p['entry'].get('url', '')})")
    return out


def check_pages(html_dir: str | Path, shots: str | Path | None = None, browser: Browser | None = None,
                pages: list[Path] | None = None) -> list[PageReport]:
    """Load every page of ``html_dir`` offline; screenshots of each into ``shots`` if given."""
    html_dir = Path(html_dir).resolve()
    pages = pages or sorted(p for p in html_dir.rglob("*.html")
                            if not p.name.startswith("_") and "_static" not in p.parts)
    own = browser is None
    browser = browser or Browser()
    reports = []
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable")
        browser.send("Network.emulateNetworkConditions", offline=True, latency=0,
                     downloadThroughput=-1, uploadThroughput=-1)
        browser.send("Network.setCacheDisabled", cacheDisabled=True)
        for page in pages:
            browser.events.clear()
            browser.send("Page.navigate", url=page.as_uri())
            browser.wait_for("Page.loadEventFired", timeout=30)
            state = browser.evaluate(_PAGE_STATE, await_promise=True)
            time.sleep(0.2)
            browser.wait_for("__none__", timeout=0.3)   # collect late console events
            rel = str(page.relative_to(html_dir))
            rep = PageReport(rel, images=state["images"], math=state["math"],
                             broken_images=state["broken_images"], raw_tex=state["raw_tex"])
            rep.console_errors = _console_errors(browser.events)
            rep.external_requests = sorted({e["params"]["request"]["url"] for e in browser.events
                                            if e.get("method") == "Network.requestWillBeSent"
                                            and not e["params"]["request"]["url"].startswith(LOCAL_SCHEMES)})
            if shots:
                shot = browser.send("Page.captureScreenshot", format="png")
                out = Path(shots) / (rel.replace("/", "__").removesuffix(".html") + ".png")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(base64.b64decode(shot["data"]))
            reports.append(rep)
    finally:
        if own:
            browser.close()
    return reports


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Check the built book in headless Chromium, offline.")
    ap.add_argument("html", nargs="?", default="_build/html")
    ap.add_argument("--shots", help="folder for one screenshot per page")
    args = ap.parse_args(argv)
    problems = broken_links(args.html)
    reports = check_pages(args.html, args.shots)
    for r in reports:
        problems += r.problems
    print(f"[hybridrec] {len(reports)} pages, {sum(r.images for r in reports)} images, "
          f"{sum(r.math for r in reports)} formulas checked offline")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
