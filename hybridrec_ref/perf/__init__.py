"""Performance helpers: device selection (chapter 13)."""

from .device import resolve_device, seed_everything

__all__ = ["resolve_device", "seed_everything"]
