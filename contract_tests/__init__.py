"""Property-based contract tests of the dispatch guarantees (``nox -s contract``; see the README).

Strategies live in ``strategies`` (text writing in ``jsontext``), the servers in ``targets``, the seed's
table in ``seed``, POS mocks in ``adapters``, one property per ``test_*`` module, and the broken builds
that each property must catch in ``mutants``.
"""
