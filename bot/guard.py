"""The access policy at the door of every card verb: before a handler runs, the record the
click's ids name is read (one query, in the turn's first transaction) and the rule
(bot/rules/policy.py) decides. A refusal is one short, localised answer that never shows the
record; a record that does not exist and one the person may not see are answered alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.envelope import Click, Malformed, TooLong
from bot.logs import safe
from bot.roles import is_admin
from bot.rules import policy
from bot.rules.policy import Act, Reason, Record, Verdict
from storage import access as repo

log = logging.getLogger("styra.guard")

MESSAGE_TYPE = "application/vnd.microsoft.activity.message"


def checker(click: Click, settings, aad_id: str, conversation_id: str | None) -> Callable | None:
    """A function of the turn's first transaction that decides on the click; None when the
    verb touches no record and anyone may use it (nothing to read)."""
    verb = str(click.action.verb)
    access = policy.for_verb(verb)
    if access is None:  # the table test forbids it; refuse rather than guess
        log.error("verb %s has no access policy entry; refused", safe(verb))
        return lambda session: policy.HIDDEN
    if access.record is None and access.act is None:
        return None
    key = getattr(click.action, access.key, None) if access.key else None

    def decide(session) -> Verdict:
        viewer = policy.Viewer(aad_id, repo.roles(session, aad_id), is_admin(settings, aad_id))
        if access.record is None:
            return policy.decide(access, viewer, None)
        if key is None:  # an optional id left out: the verb starts a new record
            return policy.ALLOW
        found = repo.facts(session, access.record.value, key, aad_id, conversation_id)
        facts = None if found is None else policy.RecordFacts(
            access.record, found.scope, policy.stage_of(access.record, found.status, found.flags), found.relations)
        return policy.decide(access, viewer, facts)

    return decide


def refusal_text(t, verb: str, verdict: Verdict) -> str:
    """The one answer to a refused click: never a word of the record itself."""
    access = policy.for_verb(verb)
    joining = access is not None and access.act is Act.join
    if verdict.reason is Reason.not_allowed and joining:
        return t("You can say you are also affected only by a need I suggested as similar when you "
                 "registered one. Nothing was changed.")
    if verdict.reason is Reason.not_allowed:
        return t("You can see this, but you do not have the role needed to do that. Nothing was changed.")
    if verdict.reason is Reason.closed and joining:
        return t("That need is closed, so you can no longer add yourself to it. Nothing was changed.")
    if verdict.reason is Reason.closed:
        return t("That cannot be done in its present state. Nothing was changed.")
    if access is not None and access.record is Record.commission:  # the commissions' own wording of it
        return t("I cannot find that commission, or it is not one you may see. Write **commissions** to see yours.")
    return t("I cannot show that: it does not exist, or you do not have access to it. Nothing was changed.")


def _number(t, value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0" if t.lang == "sv" else ",")


def too_long_text(t, problem: TooLong) -> str:
    return t("A text is too long: {length} of at most {limit} characters. Shorten it and send it again. "
             "Nothing was saved; what you wrote is still in the form.",
             length=_number(t, problem.length), limit=_number(t, problem.limit))


def message_response(text: str) -> dict:
    """An Action.Execute answer that shows a message and leaves the card (and what was typed) as it is."""
    return {"statusCode": 200, "type": MESSAGE_TYPE, "value": text}


def log_refusal(click: Click, verdict: Verdict, aad_id: str) -> None:
    log.info("refused %s by %s: %s", safe(click.action.verb), safe(aad_id), verdict.reason.value)


def log_unreadable(kind: str, problem: Malformed | TooLong, aad_id: str) -> None:
    if isinstance(problem, TooLong):
        log.info("%s %s: %s is %d characters, at most %d", kind, safe(problem.verb), safe(problem.field),
                 problem.length, problem.limit)
        return
    log.warning("refused %s from %s: %s", kind, safe(aad_id), safe(problem.reason))
