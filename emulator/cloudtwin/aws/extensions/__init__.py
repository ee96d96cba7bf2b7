"""Documented additions to moto for what a transit network needs and moto lacks.

Each extension lives in its own module in this package and exposes ``apply()``; they
patch moto's models (never its HTTP layer) and each has a test under tests/twin/ that
fails if moto's own behaviour changes under it. ``apply_all`` is idempotent.
"""

from __future__ import annotations

import importlib
import pkgutil

_applied = False


def apply_all() -> None:
    global _applied
    if _applied:
        return
    modules = [importlib.import_module(f"{__name__}.{info.name}")
               for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)]
    # By name, except that a module with APPLY_LAST wraps what the others patched (eventual_consistency).
    for module in sorted(modules, key=lambda m: getattr(m, "APPLY_LAST", False)):
        module.apply()
    _applied = True


def use_faults(faults) -> None:
    """Hand the twin's fault settings (async delays) to every extension that wants them."""
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "use_faults"):
            module.use_faults(faults)
