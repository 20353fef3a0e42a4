"""Shared fixtures: the dataset once per session, and executed notebooks.

``executed_notebook("01_background.ipynb")`` runs the notebook with Papermill
(full parameters, as CI and the book do; ``HYBRIDREC_SMOKE=1`` switches to
the SMOKE run for quick local checks) into ``_build/src/notebooks/`` (the
book's source tree, so the book test builds from these very outputs) and
returns its glued values.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hybridrec_ref.notebook import error_outputs, execute, read_glued

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "src" / "notebooks"
SMOKE = os.environ.get("HYBRIDREC_SMOKE") == "1"


@pytest.fixture(scope="session")
def ml100k():
    from hybridrec_ref.data import load_movielens_100k

    return load_movielens_100k()


_cache: dict[str, dict] = {}


@pytest.fixture(scope="session")
def executed_notebook():
    def run(name: str) -> dict:
        if name not in _cache:
            out = execute(ROOT / "notebooks" / name, EXECUTED / name, {"SMOKE": True} if SMOKE else {})
            errors = error_outputs(out)
            assert not errors, f"{name} left error outputs: {errors}"
            _cache[name] = read_glued(out)
        return _cache[name]

    return run


def approx(expected: float, tol: float):
    """``pytest.approx`` with an absolute tolerance stated next to each expected value."""
    return pytest.approx(expected, abs=tol)


@pytest.fixture
def full_run():
    """Use in tests whose expected values hold for the full run only (skipped under HYBRIDREC_SMOKE=1)."""
    if SMOKE:
        pytest.skip("expected values hold for the full run; HYBRIDREC_SMOKE=1 is set")


def cached_copy(tmp_path, name: str):
    """A private copy of dataset ``name``'s verified cache in ``tmp_path/name`` (to damage in a test).

    Returns ``(manifest, source, folder)``; pass ``cache_dir=tmp_path`` to ``fetch`` to use the copy.
    """
    from hybridrec_ref.data.fetch import fetch, load_manifest

    manifest = load_manifest()
    cache, source = fetch(name, manifest=manifest)
    folder = tmp_path / name
    folder.mkdir()
    for f in source["files"]:
        (folder / f).write_bytes((cache / f).read_bytes())
    return manifest, source, folder


class FixedScores:
    """Build a recommender with fixed scores: a row (same for every user) or a users x items matrix."""

    def __new__(cls, scores):
        import numpy as np
        import torch

        from hybridrec_ref.base import Recommender

        class _Fixed(Recommender):
            def _fit(self, train):
                pass

            def _score(self, users):
                s = torch.as_tensor(np.asarray(scores), dtype=torch.float32)
                return s.expand(len(users), -1).clone() if s.ndim == 1 else s[torch.as_tensor(users)].clone()

        return _Fixed()
