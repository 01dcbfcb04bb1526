"""A shard process that ends itself, and its test server, when the month's process is gone (killed, crashed).

Without it a shard outlives a killed parent: it drives its share of the month to the end, then blocks for good
sending its outcome into the pool's result pipe, which nobody reads any more but every pool worker holds open; the
fork server stays for as long as a shard does. Linux only (`os.pidfd_open`), as the month's pinning is.
"""

from __future__ import annotations

import os
import select
import signal
import threading
from typing import NoReturn

from bench.processes import children

# The exit status of a shard that ended because the month's process was gone.
PARENT_GONE = 70


def end_with(parent: int) -> None:
    """Watch process `parent` from a daemon thread: once it has exited, kill this process's children (a shard's test
    server) and exit. Where this process is blocked does not matter: the thread needs neither the GIL's holder nor the
    event loop to get on."""
    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:  # gone already
        _end()
    threading.Thread(target=_watch, args=(handle,), name="end-with-parent", daemon=True).start()


def _watch(handle: int) -> None:
    select.select([handle], [], [])  # readable once the process has exited
    _end()


def _end() -> NoReturn:
    for pid in children():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    os._exit(PARENT_GONE)
