"""Where the service departs from the contract today, found by this suite and not yet fixed.

Each deviation is left out of its property (so the property stays green and keeps guarding the rest)
and pinned by a strict ``xfail`` in ``test_known_deviations.py``. When the service is fixed that test
passes, strict xfail turns the pass into a failure, and the entry here is deleted: the property then
covers the case again.
"""

from __future__ import annotations

# A 101 status line followed by a closed connection is reported as "callback returned HTTP 101" /
# "POS returned HTTP 101: " instead of "http request failed: ..." (the HTTP client takes 101 as final).
STATUS_CODES_MISREPORTED: frozenset[int] = frozenset()

# A price written as a JSON string ("4.50") is accepted although money is a JSON number.
MONEY_AS_STRING_ACCEPTED = False
