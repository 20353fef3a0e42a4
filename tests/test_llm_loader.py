"""The LLM loader checks the model file against the manifest and refuses a damaged or tampered one."""

import hashlib

import pytest
import torch

from hybridrec_ref.data.fetch import DataUnavailableError
from hybridrec_ref.llm import bf16_supported, load_pretrained_lm, resolve_dtype, verified_gguf

NAME = "fake-lm"


def fake_manifest(payload: bytes) -> dict:
    return {NAME: {"sources": [{"kind": "archive", "url": "file:///nonexistent/fake-lm.gguf", "file": "fake.gguf",
                                "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}]}}


def test_verified_file_passes(tmp_path):
    payload = b"GGUF" + bytes(range(200))
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "fake.gguf").write_bytes(payload)
    directory, file, sha = verified_gguf(NAME, fake_manifest(payload), tmp_path)
    assert (directory / file).read_bytes() == payload
    assert sha == hashlib.sha256(payload).hexdigest()


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_tampered_file_is_refused(tmp_path, damage):
    payload = b"GGUF" + bytes(range(200))
    (tmp_path / NAME).mkdir()
    bad = bytearray(payload)
    if damage == "flip":
        bad[50] ^= 0xFF
    else:
        bad = bad[:-10]
    (tmp_path / NAME / "fake.gguf").write_bytes(bytes(bad))
    with pytest.raises(DataUnavailableError):
        verified_gguf(NAME, fake_manifest(payload), tmp_path)
    # the loader itself refuses before anything reaches transformers
    with pytest.raises(DataUnavailableError):
        load_pretrained_lm(NAME, manifest=fake_manifest(payload), cache_dir=tmp_path)


def test_dtype_choice_falls_back_to_float32_without_native_bf16():
    cpu = torch.device("cpu")
    assert resolve_dtype("auto", cpu) == (torch.bfloat16 if bf16_supported(cpu) else torch.float32)
    assert resolve_dtype("float32", cpu) == torch.float32
    assert resolve_dtype("bfloat16", cpu) == torch.bfloat16
    with pytest.raises(ValueError):
        resolve_dtype("fp8", cpu)
