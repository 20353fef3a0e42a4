"""Device selection and seeding shared by every torch model (chapter 14, ``ch-scale``).

``device="auto"`` picks CUDA when available, then Apple's MPS, else the CPU,
so one notebook runs unchanged on a laptop and on a GPU machine.
"""

from __future__ import annotations

import random

import numpy as np
import torch


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"``... into a ``torch.device``.

    Asking for CUDA on a machine without it raises a ``RuntimeError`` that says
    so, instead of failing later inside a kernel.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if device in (None, "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device={device!r} requested but CUDA is not available here; "
                           "use device='auto' or 'cpu' (see the README for the GPU install)")
    return dev


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch (CPU and CUDA); return a seeded CPU generator."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
