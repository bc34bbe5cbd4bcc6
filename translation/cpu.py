"""What this CPU is and how CTranslate2 should use it: cores, vendor, and the one setting never to use on AMD.

CTranslate2 picks its backend (oneDNN, or Intel MKL when CT2_USE_MKL=1) once, when the library first runs;
on AMD processors MKL takes a generic slow path (measured 20x slower for OPUS-MT int8, issue 14), so the
variable is dropped there before ctranslate2 is imported by this package.
"""

from __future__ import annotations

import os
import sys
import warnings
from functools import lru_cache
from pathlib import Path


def cpu_cores() -> int:
    """Cores this process may run on (the affinity mask, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@lru_cache(maxsize=1)
def cpu_vendor() -> str:
    """'AuthenticAMD', 'GenuineIntel', ... or '' where /proc/cpuinfo does not say."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("vendor_id"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def drop_mkl_on_amd() -> bool:
    """Remove CT2_USE_MKL from the environment on an AMD CPU (before ctranslate2 loads); True if removed."""
    if cpu_vendor() != "AuthenticAMD" or os.environ.get("CT2_USE_MKL", "").strip() in ("", "0"):
        return False
    if "ctranslate2" in sys.modules:
        warnings.warn("CT2_USE_MKL is set on an AMD CPU and ctranslate2 is already loaded", stacklevel=2)
    del os.environ["CT2_USE_MKL"]
    return True
