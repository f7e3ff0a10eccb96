"""Measured fixes to the archived SDK's hot path (PLATFORM.md: where botbuilder spends its time)."""

from __future__ import annotations


def apply() -> None:
    # msrest builds its retry status list with `i not in safe_codes` over a 500-element list,
    # twice per activity (~5 ms each). The same codes in a frozenset give the same list, faster.
    from msrest.universal_http.requests import ClientRetryPolicy

    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)
