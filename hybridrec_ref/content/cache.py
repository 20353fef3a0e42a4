"""On-disk cache of text embeddings (chapter 4; caching at scale: chapter 14, ``ch-scale``).

Encoding item text with a transformer is the slow step of a content model,
and the same texts are encoded again and again (every notebook run, every
test). :class:`EmbeddingCache` stores one ``.npz`` file per (model, texts)
pair, named by a SHA-256 hash of the model identity and of the texts, so a
different model, a changed text or a different order can never return stale
vectors.

Writes are atomic (:func:`~hybridrec_ref.data.fetch.atomic_write_bytes`: a
temporary file in the same folder, then ``os.replace``), so an interrupted run leaves either the old file or the new
one, never half a file. Each file also stores the hash of its own array; a
file that cannot be read, has the wrong key or shape, or whose array does not
match its hash is reported with a warning, deleted and rebuilt, not trusted.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..data.fetch import atomic_write_bytes


class CacheCorruptionWarning(UserWarning):
    """A cache file was damaged and has been discarded (it will be rebuilt)."""


class CacheWriteWarning(UserWarning):
    """Embeddings were computed but could not be stored (read-only or full disk); they are still returned."""


def texts_hash(texts: Sequence[str]) -> str:
    """SHA-256 over the texts, in order (length-prefixed, so ``["ab"]`` and ``["a", "b"]`` differ)."""
    h = hashlib.sha256()
    for t in texts:
        b = t.encode("utf-8")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def _array_hash(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


class EmbeddingCache:
    """A folder of embedding matrices keyed by ``(model_id, texts)``.

    ``model_id`` is any string that identifies everything that changes the
    vectors (model path or name, pooling, maximum length, normalisation);
    :class:`~hybridrec_ref.content.encoder.TextEncoder` builds it.
    """

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def key(self, model_id: str, texts: Sequence[str]) -> str:
        if not isinstance(model_id, str) or not model_id:
            raise ValueError(f"model_id must be a non-empty string, got {model_id!r}")
        return hashlib.sha256(f"{model_id}\0{texts_hash(texts)}".encode()).hexdigest()

    def path(self, model_id: str, texts: Sequence[str]) -> Path:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", model_id.split("|")[0]).strip("-")[-40:].strip("-") or "model"
        return self.directory / f"{slug}-{self.key(model_id, texts)[:24]}.npz"

    def load(self, model_id: str, texts: Sequence[str]) -> np.ndarray | None:
        """The cached matrix, or ``None`` when absent or damaged (a damaged file is deleted)."""
        path = self.path(model_id, texts)
        if not path.exists():
            return None
        key = self.key(model_id, texts)
        try:
            with np.load(path, allow_pickle=False) as f:
                emb, stored_key, digest = f["embeddings"], str(f["key"]), str(f["digest"])
            problem = None
            if stored_key != key:
                problem = "its key does not match the model and texts"
            elif emb.ndim != 2 or emb.shape[0] != len(texts):
                problem = f"it holds shape {emb.shape} for {len(texts)} texts"
            elif _array_hash(emb) != digest:
                problem = "its contents do not match the stored checksum"
        except Exception as err:  # truncated zip, bad header, missing member...
            problem = f"it cannot be read ({type(err).__name__}: {err})"
        if problem is None:
            return emb
        warnings.warn(f"embedding cache file {path} is damaged: {problem}; discarding it and re-encoding",
                      CacheCorruptionWarning, stacklevel=2)
        path.unlink(missing_ok=True)
        return None

    def save(self, model_id: str, texts: Sequence[str], embeddings: np.ndarray) -> Path:
        """Write atomically (temporary file + ``os.replace``); return the path."""
        emb = np.ascontiguousarray(np.asarray(embeddings, dtype=np.float32))
        if emb.ndim != 2 or emb.shape[0] != len(texts):
            raise ValueError(f"embeddings must have shape (len(texts)={len(texts)}, dim), got {emb.shape}")
        path = self.path(model_id, texts)
        buf = io.BytesIO()
        np.savez(buf, embeddings=emb, key=np.array(self.key(model_id, texts)), digest=np.array(_array_hash(emb)))
        atomic_write_bytes(path, buf.getvalue())
        return path

    def get_or_compute(self, model_id: str, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Load from the cache, or call ``compute(texts)``, store and return the result.

        If the cache cannot be written (a read-only folder, a full disk) the computed vectors are
        returned anyway, with a :class:`CacheWriteWarning`: an hour of encoding is not thrown away.
        """
        texts = list(texts)
        emb = self.load(model_id, texts)
        if emb is None:
            emb = np.asarray(compute(texts), dtype=np.float32)
            try:
                self.save(model_id, texts, emb)
            except OSError as e:
                warnings.warn(f"could not write the embedding cache in {self.directory} ({e}); "
                              "returning the computed vectors without caching them", CacheWriteWarning, stacklevel=2)
        return emb

    def clear(self) -> int:
        """Delete every cache file in the folder; return how many were removed."""
        n = 0
        for p in self.directory.glob("*.npz"):
            p.unlink()
            n += 1
        return n
