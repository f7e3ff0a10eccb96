"""Who sees what on the portfolio tab: the same stored roles and rules as the chat.

One function, `viewer`, answers it for a request, so the pages ask in one place (and an access
policy can replace bot.roles here alone). DOMAIN.md §8:
- the roll-up of every e-area: portfolio office, portfolio management, administrators and the
  steering groups' chairs (as `portfölj` in chat); everyone else sees the lines of the e-areas
  where they hold a role;
- an e-area's page: its roles, the portfolio office and management, administrators; anyone else
  gets "not found", so an e-area's existence is not given away;
- a draft report (colours not yet submitted): the e-area's roles only.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.roles import areas_where, is_admin, roles_in
from bot.rules.permissions import Permission, allows
from storage import org


@dataclass(frozen=True)
class Viewer:
    aad_id: str
    admin: bool
    portfolio: bool  # portfolio office or portfolio management
    chair: bool  # chairs (or deputies) some e-area's steering group
    areas: frozenset[str]  # slugs where a role lets them read the e-area's reports

    @property
    def rollup(self) -> bool:
        return self.admin or self.portfolio or self.chair

    @property
    def nobody(self) -> bool:
        return not (self.rollup or self.areas)

    def sees_line(self, slug: str) -> bool:
        return self.rollup or slug in self.areas

    def sees_area(self, slug: str) -> bool:
        return self.admin or self.portfolio or slug in self.areas

    def sees_drafts(self, slug: str) -> bool:
        return slug in self.areas


def viewer(session, settings, aad_id: str) -> Viewer:
    portfolio_roles = roles_in(session, aad_id, org.PORTFOLIO_SCOPE)
    return Viewer(
        aad_id=aad_id,
        admin=is_admin(settings, aad_id),
        portfolio=allows(Permission.view_portfolio, portfolio_roles, is_admin=False),
        chair=bool(areas_where(session, aad_id, Permission.review_report)),
        areas=frozenset(areas_where(session, aad_id, Permission.view_report)),
    )
