"""What a decision basis sets off after the answer, as outbox rows in the transaction of the change:
the post of a ready basis to its steering channel (or, escalated, to portfolio management's), the
decided card in place of every posted copy, and a notice to the coordinators and the raiser.

Channel cards are in the organisation's language; a notice is in its reader's.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.i18n import area_name, translator
from bot.rules import frames
from cards.common import with_mentions
from cards.decision import CardContext, decided_card, notice_card, read_only_card
from cards.plan import OverFrameView, over_frame_notice
from dialogs import notify
from dialogs.decisions.views import (
    PORTFOLIO,
    STEERING,
    basis_view,
    deciders_to_mention,
    decision_view,
    refresh_ids,
    subject,
)
from storage import decisions as store
from storage import org
from storage.decisions import Found
from storage.models import BasisStatus, ChannelPurpose, Role


def post_basis(session, settings: Settings, basis_id: int, now: datetime, level: str = STEERING) -> bool:
    """The read-only card of a ready basis, for the channel of the level that decides it (once;
    its chairs' clients refresh it into the card with the buttons). True when a post was added."""
    found = store.load(session, basis_id, year=now.astimezone(ZoneInfo(settings.timezone)).year)
    if found is None or found.basis.status != BasisStatus.ready:
        return False
    if org.sent_cards(session, subject(basis_id, level)):
        return False  # posted already
    t = translator(settings.default_locale)
    ctx = CardContext(timezone=settings.timezone, refresh_ids=refresh_ids(session, found.area.slug, level))
    card = with_mentions(read_only_card(t, basis_view(found, level, t.lang), ctx), t("To decide: {names}"),
                         deciders_to_mention(session, found.area.slug, level))
    purpose, scope = ((ChannelPurpose.portfolio, org.PORTFOLIO_SCOPE) if level == PORTFOLIO
                      else (ChannelPurpose.steering, found.area.slug))
    return notify.to_channel(session, key=f"decision-basis:{basis_id}:post:{level}", purpose=purpose, scope=scope,
                             card=card, subject=subject(basis_id, level), now=now)


def after_decision(session, settings: Settings, found: Found, level: str, to_portfolio: bool,
                   now: datetime) -> None:
    """Every posted copy shows the decision; escalated, it goes on; the people concerned are told."""
    t = translator(settings.default_locale)
    ctx = CardContext(timezone=settings.timezone)
    decisions = [decision_view(d) for d in found.decisions]
    decision = next(d for d in found.decisions if d.level == level)
    key = f"decision:{decision.id}"
    basis_id = found.basis.id
    if level == STEERING:
        note = t("Waiting for portfolio management's decision.") if to_portfolio else None
        notify.update(session, key=f"{key}:update:{STEERING}", subject=subject(basis_id, STEERING),
                      card=decided_card(t, basis_view(found, STEERING, t.lang), decisions, ctx, pending_note=note), now=now)
    else:
        for shown in (PORTFOLIO, STEERING):  # the steering copy shows both decisions
            notify.update(session, key=f"{key}:update:{shown}", subject=subject(basis_id, shown),
                          card=decided_card(t, basis_view(found, shown, t.lang), decisions, ctx), now=now)
    if to_portfolio:
        post_basis(session, settings, basis_id, now, PORTFOLIO)
    told = decision_view(decision)
    for aad_id, lang in _recipients(session, settings, found):
        notify.to_person(session, key=f"{key}:notice:{aad_id}", aad_id=aad_id,
                         card=notice_card(translator(lang), basis_view(found, level, lang), told, settings.timezone),
                         now=now)
    if found.plan_change is not None and frames.pushed_over(*found.plan_change):
        _tell_over_frame(session, settings, found, decision.number, key, now)


def _tell_over_frame(session, settings: Settings, found: Found, number: str, key: str, now: datetime) -> None:
    """The approval put the plan over its frame (or further over): every coordinator is told."""
    after = found.plan_change[1]
    for person in store.people_holding(session, found.area.slug, [Role.coordinator]):
        lang = org.language_of_person(person) or settings.default_locale
        area = area_name(found.area, lang)
        view = OverFrameView(area=area, plan_title=found.plan_title, need_number=found.need.number,
                             need_title=found.need.title, decision_number=number, frame_hours=after.frame_hours,
                             frame_sek=after.frame_sek, committed_hours=after.committed_hours,
                             committed_sek=after.committed_sek)
        notify.to_person(session, key=f"{key}:over-frame:{person.aad_id}", aad_id=person.aad_id,
                         card=over_frame_notice(translator(lang), view), now=now)


def _recipients(session, settings: Settings, found: Found) -> list[tuple[str, str]]:
    """The coordinators and the person who raised the need, each with their language."""
    people = {p.aad_id: p for p in store.people_holding(session, found.area.slug, [Role.coordinator])}
    ids = list(people)
    raised_by = found.need.raised_by
    if raised_by and raised_by not in people:
        ids.append(raised_by)
        raiser = store.person(session, raised_by)
        if raiser is not None:
            people[raiser.aad_id] = raiser
    return [(aad_id, org.language_of_person(people.get(aad_id)) or settings.default_locale) for aad_id in ids]
