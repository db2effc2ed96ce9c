"""CPU time of a block, measured so that a long test session's heap does not count against it."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Spent:
    seconds: float = 0.0


@contextmanager
def cpu_seconds() -> Iterator[Spent]:
    """Measure the CPU seconds the block spends.

    The objects alive before the block are frozen out of the garbage collector while it runs:
    late in a suite the test process holds hundreds of megabytes of earlier tests' objects, and
    a full collection triggered by the block's allocations would walk all of them (seen in CI:
    an upload refused in 0.12 s of CPU in a fresh process measured 1.1 s there). What is left
    is the work of the code under test, as a production worker with its small heap would do it.
    """
    spent = Spent()
    gc.collect()
    gc.freeze()
    started = time.process_time()
    try:
        yield spent
    finally:
        spent.seconds = time.process_time() - started
        gc.unfreeze()
