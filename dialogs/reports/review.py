"""The report after it is submitted: shown to whoever may read it (the refresh of the channel's copy
gives the chair a comment box and "mark as reviewed"), reviewed by the chair inline, and a
deviation outside the plan turned into a decision basis with one click.

The decision basis: the click makes the need that carries it (awaiting a decision, assessed as a
deviation) and queues the basis form, prefilled from the deviation, for the coordinator's 1:1
chat, in one transaction. From there the existing flow takes over: the area owners anchor it,
it is posted to the steering group, and the chair decides inline.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from bot.actions import CardAction
from bot.outbox import card_activity
from bot.roles import who_can
from bot.rules import frames
from bot.rules.permissions import Permission
from bot.rules.routing import Frame
from bot.text import clean
from bot.turn import Turn
from cards import decision_basis as basis_cards
from cards.common import escape
from cards.reports import REVIEW_MAX
from cards.verbs import Verb
from dialogs.reports import posting
from dialogs.reports.common import access, area_name, cap, local_stamp, reply, say
from dialogs.reports.views import report_card
from storage import org
from storage import outbox as box
from storage import report_data as reads
from storage import reports as repo
from storage.outbox import Recipient
from storage.report_views import deviation_to_need

COMMENT_READ = 60_000  # read at most this much of a comment; more than REVIEW_MAX is refused anyway


@cap.action(Verb.REPORT_VIEW)
class ViewReport(CardAction):
    report_id: int


@cap.action(Verb.REPORT_REVIEW)
class ReviewReport(CardAction):
    report_id: int
    comment: str = ""

    @field_validator("comment", mode="before")
    @classmethod
    def _comment(cls, value: Any) -> str:
        return clean(str(value or "")[:COMMENT_READ], multiline=True)


@cap.action(Verb.REPORT_DEVIATION_BASIS)
class DeviationBasis(CardAction):
    report_id: int
    ref: str = Field(min_length=1, max_length=32)


def _personal(session, settings, aad_id: str, report_id: int, now, **kw) -> tuple[str, Any]:
    """(kind, card arguments) of the report as this person may see it."""
    data = reads.report_data(session, report_id, timezone=settings.timezone, now=now)
    if data is None:
        return "missing", None
    acc = access(session, settings, aad_id, data.area.slug)
    if not acc.sees(data.report.status):
        return "refused", data
    newest = repo.latest(session, data.area.id, data.report.period)
    sent = data.report.status != "draft"
    submitted = data.report.status == "submitted"
    args = dict(can_review=acc.review and submitted, can_reopen=acc.write and sent and newest.id == data.report.id,
                refresh_ids=reads.chair_teams_ids(session, data.area.slug) if submitted else (),
                document_url=posting.document_url(session, settings, data, settings.default_locale, aad_id, now)
                if sent else "")
    args.update(kw)
    return "ok", (data, args)


def view(session, settings, aad_id: str, report_id: int, now) -> tuple[str, Any]:
    return _personal(session, settings, aad_id, report_id, now)


def _refusal(t, data) -> str:
    return t("Only the roles of {area}, the portfolio office and portfolio management can read its status report.",
             area=escape(area_name(data.area, t.lang)))


@cap.handles(ViewReport)
async def on_view(turn: Turn, act: ViewReport):
    t = turn.t
    kind, found = await turn.db.run(view, turn.settings, turn.speaker.aad_id, act.report_id, turn.now())
    if kind == "missing":
        return await say(turn, t("This status report no longer exists."))
    if kind == "refused":
        return await say(turn, _refusal(t, found))
    data, args = found
    return await reply(turn, report_card(t, data, turn.settings.timezone, **args))


# --- the chair's review ---------------------------------------------------------------------------


def review(session, settings, aad_id: str, name: str, act: ReviewReport, now) -> tuple[str, Any]:
    data = reads.report_data(session, act.report_id, timezone=settings.timezone, now=now)
    if data is None:
        return "missing", None
    acc = access(session, settings, aad_id, data.area.slug)
    if not acc.review:
        return "refused", (data, who_can(session, Permission.review_report, data.area.slug))
    if len(act.comment) > REVIEW_MAX:
        return "too_long", _personal(session, settings, aad_id, act.report_id, now)[1]
    result = repo.review(session, data.report.id, actor=aad_id, actor_name=name, comment=act.comment, now=now)
    if isinstance(result, repo.Saved):
        posting.update_report(session, settings, data.report.id, f"report-reviewed:{data.report.id}", aad_id, now)
        return "reviewed", _personal(session, settings, aad_id, act.report_id, now)[1]
    return "not_open", _personal(session, settings, aad_id, act.report_id, now)[1]


@cap.handles(ReviewReport)
async def on_review(turn: Turn, act: ReviewReport):
    t, tz = turn.t, turn.settings.timezone
    kind, found = await turn.db.run(review, turn.settings, turn.speaker.aad_id,
                                    turn.speaker.name or turn.speaker.aad_id, act, turn.now())
    if kind == "missing":
        return await say(turn, t("This status report no longer exists."))
    if kind == "refused":
        data, names = found
        area = escape(area_name(data.area, t.lang))
        text = (t("Only the steering group's chair or deputy chair of {area} can mark the report as reviewed. Ask {names}.",
                  area=area, names=", ".join(escape(n) for n in names)) if names else
                t("Only the steering group's chair or deputy chair of {area} can mark the report as reviewed, and nobody holds that role yet. Ask an administrator.",
                  area=area))
        return await say(turn, text)
    data, args = found
    if kind == "too_long":
        args.update(review_value=act.comment[:REVIEW_MAX], notice_style="attention",
                    notice=t("Nothing was saved."),
                    review_error=t("The comment is {length} characters; at most {limit} fit. It is cut to the first {limit} below: shorten it and mark as reviewed again.",
                                   length=len(act.comment), limit=REVIEW_MAX))
        return await reply(turn, report_card(t, data, tz, **args))
    if kind == "not_open":
        report = data.report
        args["notice_style"] = "warning"
        args["notice"] = (t("Already marked as reviewed by {name}, {when}.", name=escape(report.reviewed_by_name),
                            when=local_stamp(report.reviewed_at, tz))
                          if report.status == "reviewed" else t("Only a submitted report can be marked as reviewed."))
        return await reply(turn, report_card(t, data, tz, **args))
    turn.services.outbox.nudge()
    args["notice"] = t("Marked as reviewed. The report in the channel shows it.")
    return await reply(turn, report_card(t, data, tz, **args))


# --- a deviation to the steering group --------------------------------------------------------------


def _basis_values(dev, frame: Frame, names: dict[str, str]) -> dict[str, Any]:
    """The basis form prefilled from the deviation: what it needs beyond the frame left becomes the
    proposed frame change."""
    return {"business_goals": dev.consequences, "risk": dev.cause, "resources": dev.options,
            "hours": dev.extra_hours, "cost": dev.extra_sek,
            "dependencies": ", ".join(names.get(slug, slug) for slug in dev.other_areas),
            "proposal": dev.proposal,
            **dict(zip(("frame_hours", "frame_sek"), frames.needed_change(frame, dev.extra_hours, dev.extra_sek),
                       strict=True))}


def make_basis(session, settings, aad_id: str, name: str, act: DeviationBasis, now, t,
               activity_id: str) -> tuple[str, Any]:
    data = reads.report_data(session, act.report_id, timezone=settings.timezone, now=now)
    if data is None:
        return "missing", None
    acc = access(session, settings, aad_id, data.area.slug)
    if not acc.write:
        return "refused", (data, who_can(session, Permission.write_report, data.area.slug))
    dev = next((d for d in data.content.deviations if d.ref == act.ref), None)
    handling, _escalate = data.routings.get(act.ref, ("coordinators", False))
    if dev is None:
        return "missing", None
    if handling == "coordinators":
        return "within", _personal(session, settings, aad_id, act.report_id, now)[1]
    link = data.links.get(act.ref)
    if link is not None and link.basis_id is not None:
        return "exists", _personal(session, settings, aad_id, act.report_id, now)[1]
    year = int(data.report.period[:4])
    case = deviation_to_need(session, data.report, act.ref, year=year, actor=aad_id, actor_name=name, now=now)
    names = {a.slug: area_name(a, t.lang) for a in org.e_areas(session)}
    form = basis_cards.basis_form(t, basis_cards.BasisFormView(
        case.need.id, case.need.number, case.need.title, case.assessment.id, 0,
        values=_basis_values(dev, repo.frame_of(data.report), names),
        notice=t("Prefilled from the deviation in the status report {period}. Check it, then send it to the area owners.",
                 period=data.report.period)))
    key = f"deviation-form:{act.ref}" if case.created else f"deviation-form:{act.ref}:{activity_id}"
    box.enqueue(session, key=key, to=Recipient.person(aad_id), activity=card_activity(form), kind="form", now=now)
    posting.update_report(session, settings, data.report.id, f"report-basis:{data.report.id}:{act.ref}:{case.need.id}",
                          aad_id, now)
    found = _personal(session, settings, aad_id, act.report_id, now)[1]
    return ("made" if case.created else "again"), (found, case.need.number)


@cap.handles(DeviationBasis)
async def on_deviation_basis(turn: Turn, act: DeviationBasis):
    t, tz = turn.t, turn.settings.timezone
    kind, found = await turn.db.run(make_basis, turn.settings, turn.speaker.aad_id,
                                    turn.speaker.name or turn.speaker.aad_id, act, turn.now(), t,
                                    str(turn.activity.id or ""))
    if kind == "missing":
        return await say(turn, t("This deviation is no longer in the report."))
    if kind == "refused":
        data, names = found
        area = escape(area_name(data.area, t.lang))
        text = (t("Only the coordinators of {area} can make a decision basis from a deviation. Ask {names}.",
                  area=area, names=", ".join(escape(n) for n in names)) if names else
                t("Only the coordinators of {area} can make a decision basis from a deviation, and it has no coordinator yet. Ask an administrator.",
                  area=area))
        return await say(turn, text)
    if kind in ("within", "exists"):
        data, args = found
        args["notice_style"] = "warning"
        args["notice"] = (t("This deviation is within the plan: the coordinators handle it and the report records it, so no decision basis is needed.")
                          if kind == "within" else t("This deviation already has a decision basis."))
        return await reply(turn, report_card(t, data, tz, **args))
    (data, args), number = found
    turn.services.outbox.nudge()
    args["notice"] = t("Need {number} now carries the deviation. I have sent you the decision basis form, prefilled, in our private chat.",
                       number=number)
    return await reply(turn, report_card(t, data, tz, **args))
