"""The signed link the chat hands out for the portfolio tab (outside Teams, and in development)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from bot import tab_link
from dialogs.portfolio_tab.access import viewer


def personal_link(settings, aad_id: str | None, now: datetime) -> str | None:
    """The portfolio page for `aad_id`, valid STYRA_TAB_LINK_MINUTES; None when the tab is off or
    Styra does not know where browsers reach it (STYRA_PUBLIC_URL)."""
    key, base = settings.tab_signing_key, settings.document_base_url
    if not key or not base or not aad_id:
        return None
    try:
        token = tab_link.mint(key, aad_id, now.timestamp(), settings.tab_link_minutes * 60)
    except ValueError:  # not an object id
        return None
    return f"{base}/tab/portfolio?{urlencode({'s': token})}"


def has_a_view(session, settings, aad_id: str) -> bool:
    """Whether the tab would show this person anything (a role in some e-area or the portfolio)."""
    return not viewer(session, settings, aad_id).nobody
