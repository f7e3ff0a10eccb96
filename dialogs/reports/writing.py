"""Saving and submitting the draft, a page at a time (Action.Execute: the page is replaced in place).

A save names the revision its form was opened at; when the other coordinator saved in between,
nothing is stored and the same page comes back with the user's own input, who changed the report,
and the current revision, so saving again is a deliberate choice. Submitting saves the page, checks
that every goal has a colour, freezes the version and, in the same transaction, queues the report
card for the steering-group channel and, when it was the last e-area to report, the portfolio
roll-up. The submit key (report and form) makes a resent click find the first result.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pydantic import Field

from bot.actions import CardAction
from bot.roles import who_can
from bot.rules import report_content as rc
from bot.rules import reports as rules
from bot.rules.permissions import Permission
from bot.turn import Turn
from cards.common import escape
from cards.verbs import Verb
from dialogs.reports import posting
from dialogs.reports.common import (
    access,
    area_due,
    area_name,
    cap,
    inputs,
    local_stamp,
    reply,
    say,
    today,
)
from dialogs.reports.draft import other_areas
from dialogs.reports.views import form_card, overlay, report_card, translate_errors
from storage import report_data as reads
from storage import reports as repo

E_COLOUR_MISSING = "Choose a colour for this goal before submitting."


class _FormAction(CardAction):
    report_id: int
    revision: int
    form: str = Field(min_length=1, max_length=64)
    page: str = Field(max_length=20)


@cap.action(Verb.REPORT_SAVE)
class SaveReport(_FormAction):
    go: str = Field(default="", max_length=20)


@cap.action(Verb.REPORT_SUBMIT)
class SubmitReport(_FormAction):
    pass


@dataclass
class Outcome:
    kind: str  # saved | errors | stale | not_draft | refused | missing | incomplete | duplicate | submitted
    data: reads.ReportData | None = None
    areas: tuple[tuple[str, str], ...] = ()
    errors: rc.Errors = field(default_factory=dict)
    changed_by: str = ""
    names: list[str] = field(default_factory=list)
    page: str = ""
    posted: bool = False
    rollup: str = ""


def _data(session, settings, report_id: int, now) -> reads.ReportData | None:
    return reads.report_data(session, report_id, timezone=settings.timezone, now=now)


def _save_page(session, settings, aad_id: str, name: str, act: _FormAction, raw: dict, now,
               lang: str) -> Outcome:
    """Check the roles and the page, then store it if nobody saved since the form was opened."""
    data = _data(session, settings, act.report_id, now)
    if data is None:
        return Outcome("missing")
    acc = access(session, settings, aad_id, data.area.slug)
    if not acc.write:
        return Outcome("refused", data, names=who_can(session, Permission.write_report, data.area.slug))
    areas = other_areas(session, data.area, lang)
    if data.report.status != rules.ReportStatus.draft.value:
        return Outcome("not_draft", data, areas)
    extras = tuple(rules.extras_for(rules.parse_period(data.report.period)))
    content, errors = rc.parse_form(raw, data.content, page=act.page, areas=frozenset(s for s, _ in areas),
                                    extras=extras)
    if errors:
        return Outcome("errors", data, areas, errors=errors)
    saved = repo.save(session, data.report.id, seen_revision=act.revision, content=content,
                      own_area=data.area.slug, actor=aad_id, actor_name=name, now=now)
    if isinstance(saved, repo.Saved):  # what was just written; only the routings are read back
        return Outcome("saved", replace(data, report=saved.report, content=content,
                                        routings=repo.routings_of(session, data.report.id)), areas)
    fresh = _data(session, settings, data.report.id, now)
    if isinstance(saved, repo.Stale):
        return Outcome("stale", fresh, areas, changed_by=saved.changed_by)
    return Outcome("not_draft", fresh, areas)


def save(session, settings, aad_id: str, name: str, act: SaveReport, raw: dict, now, lang: str) -> Outcome:
    return _save_page(session, settings, aad_id, name, act, raw, now, lang)


def _first_missing(content: rc.ReportContent) -> tuple[rc.Errors, str]:
    missing = [i for i, g in enumerate(content.goals) if g.colour is None]
    errors = {f"g{content.goals[i].goal_id}_colour": (E_COLOUR_MISSING, {}) for i in missing}
    page = f"goals-{missing[0] // rc.GOALS_PER_PAGE}" if missing else ""
    return errors, page


def submit(session, settings, aad_id: str, name: str, act: SubmitReport, raw: dict, now, lang: str,
           dates: tuple) -> Outcome:
    """Save the page and submit the version, with its posts queued, in one transaction."""
    key = f"report-submit:{act.report_id}:{act.form}"
    done = repo.by_submit_key(session, key)
    if done is not None:
        return Outcome("duplicate", _data(session, settings, done.id, now))
    outcome = _save_page(session, settings, aad_id, name, act, raw, now, lang)
    if outcome.kind != "saved":
        return outcome
    data = outcome.data
    errors, page = _first_missing(data.content)
    if errors:
        return Outcome("incomplete", data, outcome.areas, errors=errors, page=page)
    result = repo.submit(session, data.report.id, seen_revision=data.report.revision, key=key, actor=aad_id,
                         actor_name=name, now=now)
    if isinstance(result, repo.Duplicate):
        return Outcome("duplicate", _data(session, settings, result.report.id, now))
    if isinstance(result, repo.Stale):
        return Outcome("stale", _data(session, settings, data.report.id, now), outcome.areas,
                       changed_by=result.changed_by)
    if isinstance(result, repo.NotDraft):
        return Outcome("not_draft", _data(session, settings, data.report.id, now), outcome.areas)
    report = result.report
    data = replace(data, report=report)  # the same content, now frozen
    posted = posting.post_report(session, settings, data, aad_id, now)
    period = rules.parse_period(report.period)
    due, day = dates
    rolled = posting.post_rollup(session, settings, period, due, day, now, when_complete=True,
                                 update_key=f"rollup-update:{period}:{report.id}:v{report.version}")
    return Outcome("submitted", data, posted=posted, rollup=rolled)


# --- answering --------------------------------------------------------------------------------------


async def answer(turn: Turn, act: _FormAction, outcome: Outcome, raw: dict) -> dict | None:
    t, tz = turn.t, turn.settings.timezone
    data = outcome.data
    if outcome.kind == "missing":
        return await say(turn, t("This status report no longer exists."))
    if outcome.kind == "refused":
        names = ", ".join(escape(n) for n in outcome.names)
        area = escape(area_name(data.area, t.lang))
        if names:
            return await say(turn, t("Only the coordinators of {area} write its status report. Ask {names}.", area=area, names=names))
        return await say(turn, t("Only the coordinators of {area} write its status report, and it has no coordinator yet. Ask an administrator.", area=area))
    if outcome.kind in ("not_draft", "duplicate"):
        notice = (t("Submitted by {name}, {when}. Nothing more was saved.", name=escape(data.report.submitted_by_name),
                    when=local_stamp(data.report.submitted_at, tz))
                  if outcome.kind == "duplicate" else
                  t("This version is already submitted. Nothing was saved; reopen it to write a new version."))
        return await reply(turn, report_card(t, data, tz, can_reopen=True, notice=notice, notice_style="warning"))
    typed = overlay(rc.values_of(data.content), raw)
    if outcome.kind == "errors":
        return await reply(turn, form_card(t, data, form=act.form, page=act.page, values=typed,
                                           errors=translate_errors(t, outcome.errors), areas=outcome.areas,
                                           notice=t("Some answers need a look. Nothing was saved; your text is below.")))
    if outcome.kind == "stale":
        notice = t("{name} changed the report while you were writing. Nothing was saved; your text is below.",
                   name=escape(outcome.changed_by))
        notice += " " + t("Check it against the report as it is now and save again to keep yours.")
        return await reply(turn, form_card(t, data, form=act.form, page=act.page, values=typed, notice=notice,
                                           notice_style="warning", areas=outcome.areas))
    if outcome.kind == "incomplete":
        return await reply(turn, form_card(t, data, form=act.form, page=outcome.page,
                                           errors=translate_errors(t, outcome.errors), areas=outcome.areas,
                                           notice=t("Saved, but not submitted: every goal needs a colour first.")))
    if outcome.kind == "submitted":
        name = escape(area_name(data.area, t.lang))
        notice = (t("Submitted. The report is posted in the steering group's channel.") if outcome.posted else
                  t("Submitted, but {area} has no steering-group channel linked, so it was not posted. Write **@Styra link {area}** in that channel to link it.",
                    area=name))
        if outcome.rollup == "posted":
            notice += " " + t("Every e-area has now reported: the portfolio roll-up is posted in the portfolio channel.")
        turn.services.outbox.nudge()
        return await reply(turn, report_card(t, data, tz, can_reopen=True, notice=notice))
    go = getattr(act, "go", "") or act.page
    return await reply(turn, form_card(t, data, form=act.form, page=go, areas=outcome.areas,
                                       notice=t("Saved."), notice_style="good"))


@cap.handles(SaveReport)
async def on_save(turn: Turn, act: SaveReport):
    raw = inputs(turn)
    outcome = await turn.db.run(save, turn.settings, turn.speaker.aad_id, turn.speaker.name or turn.speaker.aad_id,
                                act, raw, turn.now(), turn.t.lang)
    return await answer(turn, act, outcome, raw)


@cap.handles(SubmitReport)
async def on_submit(turn: Turn, act: SubmitReport):
    raw = inputs(turn)
    period = await turn.db.run(_period_of, act.report_id)
    dates = (area_due(turn.services, period), today(turn.services)) if period else (None, None)
    outcome = await turn.db.run(submit, turn.settings, turn.speaker.aad_id, turn.speaker.name or turn.speaker.aad_id,
                                act, raw, turn.now(), turn.t.lang, dates)
    return await answer(turn, act, outcome, raw)


def _period_of(session, report_id: int) -> rules.Period | None:
    report = repo.get(session, report_id)
    return rules.parse_period(report.period) if report else None
