"""Sliding-window kernels over one-minute buckets, vectorised with numpy.

Every kernel returns, for each *end index* ``e`` in ``0..n``, the statistic of the buckets
``[e - k, e)`` that exist (so a window that reaches before the first bucket uses what is
there), and NaN where no bucket of the window holds a value. Sums, minima and maxima use the
van Herk / Gil-Werman block scheme: O(n) whatever ``k``, and each sum adds at most ``k`` values,
so rounding stays as small as in a naive loop.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "Reduction", "sliding_count", "sliding_reduce"]

FloatArray = npt.NDArray[np.float64]
Reduction = Literal["sum", "min", "max"]

_UFUNC = {"sum": np.add, "min": np.minimum, "max": np.maximum}
_IDENTITY = {"sum": 0.0, "min": np.inf, "max": -np.inf}


def sliding_count(values: FloatArray, k: int) -> npt.NDArray[np.int64]:
    """How many buckets of each window ``[e - k, e)`` hold a value (exact integer counts)."""
    present: npt.NDArray[np.int64] = np.concatenate(([0], np.cumsum(~np.isnan(values), dtype=np.int64)))
    ends = np.arange(values.shape[0] + 1)
    counts: npt.NDArray[np.int64] = present[ends] - present[np.maximum(ends - k, 0)]
    return counts


def sliding_reduce(values: FloatArray, k: int, how: Reduction) -> FloatArray:
    """The sum, minimum or maximum of each window of ``k`` buckets, by end index (length n + 1)."""
    if k < 1:
        raise ValueError(f"window length must be >= 1 (got {k})")
    n = values.shape[0]
    ufunc = _UFUNC[how]
    identity = _IDENTITY[how]
    filled = np.where(np.isnan(values), identity, values)
    # Prepend k identities: the window of y starting at s is the window of x ending at s.
    blocks = -(-(n + k) // k) + 1
    y = np.full(blocks * k, identity)
    y[k:k + n] = filled
    grid = y.reshape(blocks, k)
    prefix = ufunc.accumulate(grid, axis=1).ravel()
    suffix = ufunc.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    starts = np.arange(n + 1)
    # A window starting at block position j is the suffix of its block from j plus the prefix of
    # the next block up to j - 1; a window starting at a block boundary is its block alone.
    tail = prefix[starts + k - 1]
    tail[starts % k == 0] = identity
    out: FloatArray = ufunc(suffix[starts], tail)
    out[sliding_count(values, k) == 0] = np.nan
    return out
