"""SQL compiled once per person and process, for the queries every page asks (docs/decisions/0021).

Every page asks who the person is allowed to see: the case list's visibility, the navigation's count of unread
notices. Building those querysets and compiling them costs more Python than the database spends answering them
(issue 13: 5.5 ms of a 31 ms page at 500,000 cases, for the count alone). What a selector compiles depends only on
what it reads of the person (their id, agency, role's permissions and their ids, the day), so the SQL and its
parameters can be kept under exactly those inputs and reused for the person's next page.

A ``Memo`` holds what one selector compiled, under a key that the selector builds from every input its builder
reads (``agencies.auth.viewer_key``, plus anything of its own). It is bounded (least recently used first out) and
per process: nothing is shared between machines, and a key that differs in any input (a role changed, a new day)
compiles afresh. The tests compare each memo with a fresh compilation for every member of the suite's cast
(tests/referrals/test_compiled_visibility.py): an input a builder starts to read without adding it to its key
fails there.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.db import connection

type Compiled = tuple[str, tuple[Any, ...]]


class Memo[T = Compiled]:
    """SQL and parameters compiled by one builder, by key, at most ``size`` of them (the least recently used go).
    What is kept is ``Compiled`` unless the memo says otherwise (the dashboard keeps each query's column names and
    converters beside it: reports/sections.py)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._compiled: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """What ``build`` compiles for ``key``: kept from an earlier call, or built now and kept."""
        key = (connection.vendor, key)
        with self._lock:
            found = self._compiled.get(key)
            if found is not None:
                self._compiled.move_to_end(key)
                return found
        compiled = build()
        with self._lock:
            self._compiled[key] = compiled
            if len(self._compiled) > self.size:
                self._compiled.popitem(last=False)
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._compiled.clear()
