"""Approval by every manager concerned (DOMAIN.md §4): the answer buttons of the approval card
(Action.Execute) and its refresh.

One transaction per click: the repository locks the commission, the pure rule decides, the
answer is written once per manager and version, and the cards of the others, the decline to the
lead, the number and the announcements go to the outbox. A second click, a race or a replay
finds the answer already there and shows it; an answer to a replaced version is refused with
the current version shown. The invoke answers with the clicker's own card.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from bot.actions import CardAction
from bot.rules import commissions as rules
from bot.rules.commissions import Answer
from bot.text import clean
from bot.turn import Turn
from cards.commissions import COMMENT_MAX, approval_card
from cards.verbs import Verb
from dialogs.commissions import views
from dialogs.commissions.capability import NOT_FOUND, answer_text, cap, show
from dialogs.commissions.notices import notifier
from storage import commission_queries as queries
from storage import commissions as repo


@cap.action(Verb.COMMISSION_ANSWER)
class AnswerCommission(CardAction):
    commission_id: int
    version: int
    answer: Literal["approved", "declined"]
    comment: str = ""  # the card's input, merged into the data by Teams

    @field_validator("comment", mode="before")
    @classmethod
    def _comment(cls, value: Any) -> str:
        return clean(str(value or ""), multiline=True)[:COMMENT_MAX]


@cap.action(Verb.COMMISSION_REFRESH)
class RefreshApproval(CardAction):
    commission_id: int
    version: int


def answer_work(session, *, t, manager: str, act: AnswerCommission, now, lang: str, prefix: str):
    """The answer and its follow-ups in one transaction; the card the manager sees after it."""
    notify = notifier(lang, now)
    done = repo.respond(session, act.commission_id, version=act.version, manager=manager, answer=Answer(act.answer),
                        comment=act.comment, now=now, prefix=prefix, notify=notify)
    c = done.commission
    if c is None or views.visibility(session, c, manager) != views.FULL:
        return None  # the same answer as for an id that does not exist
    if done.error == rules.E_OUTDATED:
        # Refused, and the version that counts is shown with its buttons instead.
        return notify.approval_card(session, t, c, c.version, manager, t(
            "Version {version} has been replaced. This is the current version, version {current}: your answer counts only here.",
            version=act.version, current=c.version))
    if done.error == rules.E_DECLINE_COMMENT:
        return notify.approval_card(session, t, c, act.version, manager, t(done.error))
    message = ""
    if done.error:
        message = t(done.error)
    elif rules.N_DUPLICATE in done.notes:
        message = t("You had already answered this version; your answer stands.")
    elif rules.N_DECIDED in done.notes:
        message = t("Every manager has approved. The commission is decided as {number}.", number=c.number)
    elif rules.N_RETURNED in done.notes:
        message = t("You declined. The lead has your comment and can send a new version.")
    return notify.approval_card(session, t, c, act.version, manager, message)


@cap.handles(AnswerCommission)
async def on_answer(turn: Turn, act: AnswerCommission):
    settings = turn.settings
    card = await turn.db.run(lambda s: answer_work(s, t=turn.t, manager=turn.speaker.aad_id, act=act, now=turn.now(),
                                                   lang=settings.default_locale, prefix=settings.commission_prefix))
    turn.services.outbox.nudge()
    return await _answer(turn, card)


def refresh_work(session, *, t, viewer: str, commission_id: int, version: int):
    c = queries.get(session, commission_id)
    if c is None or views.visibility(session, c, viewer) != views.FULL or version > c.version:
        return None
    return approval_card(t, views.approval_view(session, c, version, viewer))


@cap.handles(RefreshApproval)
async def on_refresh(turn: Turn, act: RefreshApproval):
    card = await turn.db.run(lambda s: refresh_work(s, t=turn.t, viewer=turn.speaker.aad_id,
                                                    commission_id=act.commission_id, version=act.version))
    return await _answer(turn, card)


async def _answer(turn: Turn, card: dict | None):
    if card is None:
        return await answer_text(turn, turn.t(NOT_FOUND))
    return await show(turn, card)
