"""The annual wheel at work: the scheduler's tick, the reminder card's verbs and `årshjul`.

`tick(services, now)` is all the scheduler calls (once a minute). The database, not the
scheduler, holds what is due and who is sending it, so any number of ticks - from two
instances, a restart, a daylight-saving hour that repeats - posts each reminder once:

1. materialise: every wheel occurrence due up to `now` becomes a row per e-area with a linked
   steering-group channel (INSERT .. ON CONFLICT DO NOTHING on (activity, period, e-area));
   plus the weekly digest of what is open, and snoozes whose date has come go back to due;
2. rows still unsent after the grace period (Styra was down) are marked missed, not sent late;
3. claim: a conditional UPDATE moves due rows (or rows whose claim expired) to claimed by this
   instance, with an expiry; an instance only sends what it claimed;
4. deliver: post the card through `services.outbound` (pacing, retries, Retry-After), then
   record sent + the activity id (for in-place updates) in ONE short transaction;
5. follow up: unanswered reminders are escalated to the chair after N working days.

Crash safety, and what is guaranteed. The order is claim (commit) -> send -> mark sent
(commit). A crash after the claim and before the send leaves a claimed row; when its claim
expires (`STYRA_REMINDER_CLAIM_MINUTES`) the next tick sends it: nothing is lost. A crash in
the window after Teams accepted the post and before the "sent" commit also leaves a claimed
row, and it is posted a second time after the claim expires. Teams has no idempotency key for
bot messages, so exactly-once delivery to Teams is impossible; what Styra guarantees is:
every reminder is posted at least once (or recorded as failed / missed, visibly), and at most
once except for a process death inside that window, which is one HTTP response plus one small
commit long (milliseconds). The window is kept that small on purpose: the "sent" write is
shielded from task cancellation, nothing else runs between the response and that write, and
the claim is long enough (default 15 minutes) that a slow but live sender is never overtaken.
A graceful stop lets the running tick finish (bot/scheduler.py). Escalations are the opposite
trade-off - marked before sending, so at most once: a crash there loses one nudge to the chair
rather than nagging twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import logging
import re
from base64 import b64encode
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.actions import CardAction
from bot.documents.wheel_picture import Mark, WheelPicture, render_svg, to_png
from bot.i18n import Translator, translator
from bot.registry import Capability
from bot.roles import can, who_can
from bot.rules.calendar import STOCKHOLM, add_working_days, is_working_day, to_stockholm
from bot.rules.permissions import Permission
from bot.rules.wheel import (
    Wheel,
    load_wheel,
    occurrences_for_year,
)
from bot.teams.delivery import Outcome
from bot.turn import Turn
from cards import reminder as reminder_cards
from cards import wheel as wheel_cards
from cards.common import escape
from cards.system import error_card, message_card
from cards.verbs import Verb
from dialogs import reports
from storage import org
from storage import reminders as repo
from storage.models import ChannelPurpose, EArea, LinkedChannel, Need, NeedStatus, Person, Role
from storage.reminder_tables import Answer, OccurrenceStatus, ReminderOccurrence

cap = Capability("wheel")

log = logging.getLogger("styra.reminders")

MAX_SNOOZE_DAYS = 120
RETRY_LATER = dt.timedelta(minutes=5)
# How far back a tick looks for occurrences of a channel linked long ago (a year and a bit).
LOOKBACK = dt.timedelta(days=400)


# --- wiring helpers -----------------------------------------------------------------------


def wheel_of(services) -> Wheel:
    """The wheel loaded at start (app.py), or loaded now and kept."""
    if services.wheel is None:
        services.wheel = load_wheel(services.settings.wheel_file)
    return services.wheel


def instance_id(services) -> str:
    """Who holds a claim: one id per running Services (per process in production)."""
    return services.instance_id


@dataclass
class TickReport:
    materialised: int = 0
    woken: int = 0
    missed: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    escalated: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


# --- the tick ------------------------------------------------------------------------------


@cap.on_tick
async def tick(services, now: dt.datetime | None = None) -> TickReport:
    """One round of the wheel (see the module docstring). Safe to run concurrently anywhere."""
    now = now or services.clock()
    settings = services.settings
    wheel = wheel_of(services)
    grace = dt.timedelta(hours=settings.reminder_grace_hours)
    report = TickReport()
    db = services.db
    # The first tick of a process looks back a year; later ticks only past their predecessor
    # (less an hour, for clock skew between instances): rows already made are not made again.
    watermark = services.wheel_watermark
    floor = now - LOOKBACK if watermark is None else min(watermark, now) - dt.timedelta(hours=1)
    report.materialised = await db.run(_materialise, wheel, now, grace, settings.digest_weekday, floor)
    services.wheel_watermark = now
    report.woken = await db.run(repo.wake_snoozed, to_stockholm(now).date(), now)
    report.missed = await db.run(repo.mark_missed, now - grace)
    lease = dt.timedelta(minutes=settings.reminder_claim_minutes)
    claimed = await db.run(repo.claim, instance_id(services), now, lease)
    report.claimed = len(claimed)
    if claimed:
        await _deliver_all(services, wheel, claimed, now, report)
    report.escalated = await _escalate(services, wheel, now)
    if any((report.materialised, report.sent, report.failed, report.missed, report.escalated)):
        log.info("wheel tick %s", report.as_dict())
    return report


def _links(session) -> list[tuple[LinkedChannel, EArea | None]]:
    stmt = (select(LinkedChannel, EArea)
            .join(EArea, EArea.slug == LinkedChannel.scope, isouter=True)
            .where(LinkedChannel.purpose == ChannelPurpose.steering))
    return [(link, area) for link, area in session.execute(stmt)]


def _materialise(session, wheel: Wheel, now: dt.datetime, grace: dt.timedelta, digest_weekday: int,
                 floor: dt.datetime) -> int:
    rows: list[dict] = []
    cache: dict[dt.datetime, list] = {}
    for link, area in _links(session):
        # Reminders start with the link: a channel linked today gets today's reminder (within
        # the grace period), not a backlog of the months before it was linked.
        start = max(link.linked_at - grace, floor)
        if start >= now:
            continue
        found = cache.get(start)
        if found is None:
            found = cache[start] = _due_between(wheel, start, now)
        for occ in found:
            rows.append({
                "activity_key": occ.activity_key, "period": occ.period, "scope": link.scope,
                "e_area_id": area.id if area else None, "due_at": occ.due_at.astimezone(dt.UTC),
                "send_after": occ.due_at.astimezone(dt.UTC), "answer_by": occ.answer_by,
            })
        digest = _digest_moment(wheel, now, digest_weekday)
        if digest is not None and digest > link.linked_at - grace and repo.open_in_area(session, link.scope, digest):
            iso = to_stockholm(digest).isocalendar()
            rows.append({
                "activity_key": repo.DIGEST_KEY, "period": f"{iso.year}-W{iso.week:02d}",
                "scope": link.scope, "e_area_id": area.id if area else None,
                "due_at": digest, "send_after": digest, "answer_by": None,
            })
    return repo.materialise(session, rows)


_YEARS: dict[tuple[int, int], tuple[Wheel, list]] = {}


def _due_between(wheel: Wheel, start: dt.datetime, end: dt.datetime) -> list:
    """`due_between`, with each year's occurrences computed once per wheel (a tick runs every
    minute; the calendar arithmetic does not change within a year)."""
    found = []
    for year in range(to_stockholm(start).year, to_stockholm(end).year + 1):
        cached = _YEARS.get((id(wheel), year))
        if cached is None or cached[0] is not wheel:
            cached = (wheel, occurrences_for_year(wheel, year))
            if len(_YEARS) > 32:
                _YEARS.clear()
            _YEARS[(id(wheel), year)] = cached
        found.extend(o for o in cached[1] if start < o.due_at <= end)
    return found


def _digest_moment(wheel: Wheel, now: dt.datetime, weekday: int) -> dt.datetime | None:
    """This week's digest time (the configured weekday, or the next working day that week,
    at the wheel's reminder time), if it has passed."""
    local = to_stockholm(now)
    monday = local.date() - dt.timedelta(days=local.weekday())
    for offset in range(weekday, 5):
        day = monday + dt.timedelta(days=offset)
        if is_working_day(day):
            moment = dt.datetime.combine(day, wheel.reminder_time, tzinfo=STOCKHOLM)
            return moment.astimezone(dt.UTC) if moment <= local else None
    return None


@dataclass(frozen=True)
class _Channel:
    ref: object  # ConversationRef
    area_name: str
    area_name_en: str
    coordinator_ids: tuple[str, ...]


def _channels(session) -> dict[str, _Channel]:
    out = {}
    for scope, ref in org.linked_channels(session, ChannelPurpose.steering):
        area = org.e_area_by_slug(session, scope)
        ids = []
        for aad in org.holders(session, scope, Role.coordinator):
            person = session.get(Person, aad)
            if person is not None and person.teams_id:
                ids.append(person.teams_id)
        name = area.name if area else scope
        out[scope] = _Channel(ref, name, (area.name_en if area else None) or name, tuple(ids))
    return out


async def _deliver_all(services, wheel: Wheel, claimed: list[ReminderOccurrence],
                       now: dt.datetime, report: TickReport) -> None:
    channels = await services.db.run(_channels)
    t = translator(services.settings.default_locale)
    limit = asyncio.Semaphore(services.settings.reminder_concurrency)

    async def one(occ: ReminderOccurrence) -> None:
        async with limit:
            await _deliver_one(services, wheel, t, channels.get(occ.scope), occ, now, report)

    await asyncio.gather(*(one(occ) for occ in claimed))


async def _deliver_one(services, wheel: Wheel, t: Translator, channel: _Channel | None,
                       occ: ReminderOccurrence, now: dt.datetime, report: TickReport) -> None:
    db = services.db
    if channel is None:  # unlinked since it was materialised: leave it due (it ends as missed)
        await db.run(repo.release, occ.id)
        return
    if occ.activity_key == repo.DIGEST_KEY:
        open_rows = await db.run(repo.open_in_area, occ.scope, occ.due_at)
        card = reminder_cards.digest_card(t, _area_name(t, channel), occ.period,
                                          [_digest_item(t, wheel, row) for row in open_rows])
    else:
        # As posted, the card shows the state it will have once the post is recorded.
        view = dataclasses.replace(_view(t, wheel, occ, channel), status=OccurrenceStatus.sent.value)
        card = reminder_cards.reminder_card(t, view, interactive=False)
    result = await services.outbound.send_card(channel.ref, card)
    if result.outcome is Outcome.SENT:
        # Once Teams has the message, a cancellation must not stop this write.
        await _durably(services, repo.mark_sent, occ.id, channel.ref.conversation_id,
                       result.activity_id, now, occ.activity_key == repo.DIGEST_KEY)
        report.sent += 1
        return
    permanent = result.outcome is Outcome.PERMANENT_FAILURE
    retry_in = max(RETRY_LATER, dt.timedelta(seconds=result.retry_after or 0))
    status = await _durably(services, functools.partial(
        repo.mark_failed, status=result.status, error=result.error, permanent=permanent,
        retry_in=retry_in), occ.id, now)
    if status == OccurrenceStatus.failed.value:
        report.failed += 1
    else:
        report.retrying += 1


async def _durably(services, work, *args):
    """Run a database write that must happen even if the awaiting task is cancelled (a stop in
    the middle of a fan-out): it runs as its own task, shielded, and `settle` can wait for it."""
    task = asyncio.ensure_future(services.db.run(work, *args))
    pending = services.runtime.setdefault("reminders.pending_writes", set())
    pending.add(task)
    task.add_done_callback(pending.discard)
    return await asyncio.shield(task)


@cap.on_stop
async def settle(services) -> None:
    """Wait for delivery records still being written (bot/scheduler.py calls this on stop)."""
    pending = list(services.runtime.get("reminders.pending_writes", ()))
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


def _area_name(t: Translator, channel: _Channel) -> str:
    return channel.area_name_en if t.lang == "en" else channel.area_name


def _view(t: Translator, wheel: Wheel, occ: ReminderOccurrence, channel: _Channel | None,
          area_name: str | None = None) -> reminder_cards.ReminderView:
    try:
        activity = wheel.activity(occ.activity_key)
        title, body = activity.title[t.lang], activity.body[t.lang]
        audience, act = activity.audience, activity.action
    except KeyError:  # the wheel file changed since this was posted
        title, body, audience, act = occ.activity_key, "", "coordinators", None
    return reminder_cards.ReminderView(
        occurrence_id=occ.id, title=title, body=body,
        area_name=area_name or (_area_name(t, channel) if channel else occ.scope),
        audience=audience, period=occ.period, answer_by=occ.answer_by, status=occ.status,
        answer=occ.answer, answered_by_name=occ.answered_by_name, answered_at=occ.answered_at,
        snooze_until=occ.snooze_until, reason=occ.reason, action=act,
        coordinator_ids=channel.coordinator_ids if channel else (),
    )


def _digest_item(t: Translator, wheel: Wheel, row: ReminderOccurrence) -> reminder_cards.DigestItem:
    try:
        title = wheel.activity(row.activity_key).title[t.lang]
    except KeyError:
        title = row.activity_key
    return reminder_cards.DigestItem(title, row.period,
                                     reminder_cards.status_label(t, row.status, row.answer),
                                     row.answer_by)


# --- escalation -------------------------------------------------------------------------------


async def _escalate(services, wheel: Wheel, now: dt.datetime) -> int:
    days = services.settings.escalation_working_days
    today = to_stockholm(now).date()
    rows = await services.db.run(repo.unanswered)
    count = 0
    for row in rows:
        if row.sent_at is None or add_working_days(to_stockholm(row.sent_at).date(), days) > today:
            continue
        if not await services.db.run(repo.claim_escalation, row.id, now):
            continue  # another instance took it
        chairs = await services.db.run(_chairs, row.scope)
        if not chairs:
            log.warning("no chair to escalate reminder %s of %s to", row.id, row.scope)
        for aad_id, locale, area_name, area_name_en in chairs:
            t = translator(locale or services.settings.default_locale)
            name = area_name_en if t.lang == "en" else area_name
            view = _view(t, wheel, row, None, area_name=name)
            result = await services.outbound.send_personal(aad_id, reminder_cards.escalation_card(t, view, days))
            if result is None or result.outcome is not Outcome.SENT:
                log.warning("escalation of reminder %s to %s not delivered", row.id, aad_id)
        count += 1
    return count


def _chairs(session, scope: str) -> list[tuple[str, str | None, str, str]]:
    area = org.e_area_by_slug(session, scope)
    name = area.name if area else scope
    name_en = (area.name_en if area else None) or name
    out = []
    for aad in org.holders(session, scope, Role.chair):
        person = session.get(Person, aad)
        out.append((aad, org.language_of_person(person), name, name_en))
    return out


# --- the card's verbs ---------------------------------------------------------------------------


class _OccurrenceAction(CardAction):
    occurrence_id: int


@cap.action(Verb.REMINDER_DONE)
class ReminderDone(_OccurrenceAction):
    pass


@cap.action(Verb.REMINDER_START)
class ReminderStart(_OccurrenceAction):
    pass


@cap.action(Verb.REMINDER_SNOOZE)
class ReminderSnooze(_OccurrenceAction):
    pass


@cap.action(Verb.REMINDER_NA)
class ReminderNotApplicable(_OccurrenceAction):
    pass


@cap.action(Verb.REMINDER_REFRESH)
class ReminderRefresh(_OccurrenceAction):
    pass


def _load(session, occurrence_id: int):
    row = repo.get(session, occurrence_id)
    if row is None:
        return None
    channels = _channels(session)
    channel = channels.get(row.scope)
    area = org.e_area_by_slug(session, row.scope)
    return row, channel, area


def _raw_inputs(turn: Turn) -> dict:
    value = turn.activity.value or {}
    if turn.is_invoke and isinstance(value, dict):
        return dict((value.get("action") or {}).get("data") or {})
    return dict(value) if isinstance(value, dict) else {}


async def _reply(turn: Turn, card: dict):
    """Action.Execute shows the card in place; an Action.Submit gets it as a reply."""
    if turn.is_invoke:
        return card
    await turn.send_card(card)
    return None


async def _context(turn: Turn, occurrence_id: int):
    loaded = await turn.db.run(_load, occurrence_id)
    if loaded is None:
        return None
    row, channel, area = loaded
    wheel = wheel_of(turn.services)
    area_name = ((area.name_en or area.name) if turn.t.lang == "en" else area.name) if area else row.scope
    return row, channel, wheel, area_name


def _allowed(turn: Turn, scope: str):
    def check(session):
        if can(session, turn.settings, turn.speaker.aad_id, Permission.answer_reminder, scope):
            return True, []
        return False, who_can(session, Permission.answer_reminder, scope)

    return turn.db.run(check)


async def _answer(turn: Turn, act: _OccurrenceAction, kind: Answer | None):
    t = turn.t
    ctx = await _context(turn, act.occurrence_id)
    if ctx is None:
        return await _reply(turn, error_card(t, t("This reminder no longer exists.")))
    row, channel, wheel, area_name = ctx
    ok, names = await _allowed(turn, row.scope)
    if not ok:
        if kind is None:  # a refresh: the read-only view, no complaint
            return await _reply(turn, reminder_cards.reminder_card(t, _view(t, wheel, row, channel, area_name), interactive=False))
        if names:
            notice = t("Only the coordinators of {area} can answer this reminder. Ask {names}.",
                       area=escape(area_name), names=", ".join(escape(n) for n in names))
        else:
            notice = t("Only the coordinators of {area} can answer this reminder, and {area} has no coordinator yet. Ask an administrator.",
                       area=escape(area_name))
        return await _reply(turn, reminder_cards.reminder_card(t, _view(t, wheel, row, channel, area_name),
                                                               interactive=False, notice=notice))
    if kind is None:
        return await _reply(turn, reminder_cards.reminder_card(t, _view(t, wheel, row, channel, area_name), interactive=True))

    snooze_until, reason = None, ""
    inputs = _raw_inputs(turn)
    today = to_stockholm(turn.now()).date()
    if kind is Answer.snoozed:
        snooze_until = _parse_date(inputs.get("snooze_until"))
        if snooze_until is None or not today < snooze_until <= today + dt.timedelta(days=MAX_SNOOZE_DAYS):
            notice = t("Pick a date after today and at most {n} days ahead.", n=MAX_SNOOZE_DAYS)
            return await _reply(turn, reminder_cards.reminder_card(t, _view(t, wheel, row, channel, area_name),
                                                                   interactive=True, notice=notice))
    if kind is Answer.not_applicable:
        reason = " ".join(str(inputs.get("reason") or "").replace("\x00", "").split())[:reminder_cards.MAX_REASON]
        if not reason:
            notice = t("Write a short reason why this does not apply.")
            return await _reply(turn, reminder_cards.reminder_card(t, _view(t, wheel, row, channel, area_name),
                                                                   interactive=True, notice=notice))

    outcome, row = await turn.db.run(repo.answer, row.id, kind, turn.speaker.aad_id, turn.speaker.name,
                                     turn.now(), snooze_until=snooze_until, reason=reason)
    view = _view(t, wheel, row, channel, area_name)
    if outcome == "stale":
        notice = t("This reminder was already answered. This is how it stands now.")
        return await _reply(turn, reminder_cards.reminder_card(t, view, interactive=True, notice=notice, notice_style="warning"))
    if outcome == "not_open":
        notice = t("This reminder is not open for answers ({status}).",
                   status=reminder_cards.status_label(t, row.status, row.answer))
        return await _reply(turn, reminder_cards.reminder_card(t, view, interactive=False, notice=notice, notice_style="warning"))

    # Everyone in the channel sees the answer: update every posted copy (as-sent, read-only view).
    channel_t = translator(turn.settings.default_locale)
    shared = reminder_cards.reminder_card(channel_t, _view(channel_t, wheel, row, channel), interactive=False)
    try:
        await turn.services.outbound.update_card(repo.subject_of(row.id), shared)
    except Exception:  # the answer is saved; a failed update must not lose it
        log.exception("could not update the posted card of reminder %s", row.id)

    notice = None
    if kind is Answer.started:
        notice = await _start(turn, row, wheel, area_name)
    return await _reply(turn, reminder_cards.reminder_card(t, view, interactive=True, notice=notice, notice_style="good"))


def _parse_date(value) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


@cap.handles(ReminderDone)
async def on_done(turn: Turn, act: ReminderDone):
    return await _answer(turn, act, Answer.done)


@cap.handles(ReminderStart)
async def on_start(turn: Turn, act: ReminderStart):
    return await _answer(turn, act, Answer.started)


@cap.handles(ReminderSnooze)
async def on_snooze(turn: Turn, act: ReminderSnooze):
    return await _answer(turn, act, Answer.snoozed)


@cap.handles(ReminderNotApplicable)
async def on_not_applicable(turn: Turn, act: ReminderNotApplicable):
    return await _answer(turn, act, Answer.not_applicable)


@cap.handles(ReminderRefresh)
async def on_refresh(turn: Turn, act: ReminderRefresh):
    return await _answer(turn, act, None)


# --- what "Start" opens ------------------------------------------------------------------------


async def _start(turn: Turn, row: ReminderOccurrence, wheel: Wheel, area_name: str) -> str:
    """Send the activity's linked action to the user's 1:1 chat; returns a note for the card."""
    t = turn.t
    try:
        activity = wheel.activity(row.activity_key)
    except KeyError:
        return t("Marked as started.")
    card = await _start_card(turn, row, activity, area_name)
    if card is None:
        return t("Marked as started.")
    result = await turn.services.outbound.send_personal(turn.speaker.aad_id, card)
    if result is None or result.outcome is not Outcome.SENT:
        return t("Marked as started, but I could not reach you in a private chat. Write to me there first.")
    return t("Marked as started. I have sent you what you need in our private chat.")


async def _start_card(turn: Turn, row: ReminderOccurrence, activity, area_name: str) -> dict | None:
    t = turn.t
    if activity.action == "status_report":  # the period's draft, from the status-report capability
        return await reports.card_for_reminder(turn, row.scope, row.period)
    if activity.action in ("needs_inventory", "needs_list"):
        statuses = ((NeedStatus.inventory,) if activity.action == "needs_inventory"
                    else (NeedStatus.registered, NeedStatus.under_assessment,
                          NeedStatus.awaiting_decision, NeedStatus.inventory))
        needs = await turn.db.run(_needs, row.scope, statuses)
        title = t("Needs inventory") if activity.action == "needs_inventory" else t("Needs")
        labels = _need_status_labels(t)
        return reminder_cards.needs_card(t, title, area_name, [
            reminder_cards.NeedLine(n.number, n.title, labels.get(n.status, str(n.status))) for n in needs])
    if activity.action == "show_plan":
        year = int(row.period[:4])
        # Next year's plan is what May-December activities work on; January reviews this year's.
        if activity.month >= 5:
            year += 1
        return await _plan_card(turn, row.scope, year, area_name)
    return None


def _needs(session, scope: str, statuses) -> list[Need]:
    area = org.e_area_by_slug(session, scope)
    if area is None:
        return []
    stmt = select(Need).where(Need.e_area_id == area.id, Need.status.in_(statuses)).order_by(Need.number)
    return list(session.execute(stmt).scalars())


def _need_status_labels(t: Translator) -> dict:
    return {
        NeedStatus.registered: t("registered"),
        NeedStatus.under_assessment: t("under assessment"),
        NeedStatus.awaiting_decision: t("awaiting decision"),
        NeedStatus.inventory: t("in the needs inventory"),
    }


async def _plan_card(turn: Turn, scope: str, year: int, area_name: str) -> dict:
    from storage.models import Plan, PlanGoal

    def load(session):
        area = org.e_area_by_slug(session, scope)
        plan = session.execute(select(Plan).where(Plan.e_area_id == area.id, Plan.year == year)).scalars().first() if area else None
        goals = list(session.execute(select(PlanGoal).where(PlanGoal.plan_id == plan.id)
                                     .order_by(PlanGoal.position)).scalars()) if plan else []
        return plan, goals

    plan, goals = await turn.db.run(load)
    t = turn.t
    if plan is None:
        text = t("{area} has no plan for {year} in Styra yet.", area=escape(area_name), year=year)
        return message_card(t("Plan"), [text])
    try:
        from cards.plan import GoalView, PlanView, plan_card
    except ImportError:  # the plan feature is not installed: a short text instead
        text = t("{title}: {n} goals.", title=escape(plan.title or area_name), n=len(goals))
        return message_card(t("Plan"), [text])
    view = PlanView(area_slug=scope, area=area_name, year=plan.year, title=plan.title,
                    status=plan.status.value, frame_sek=plan.frame_sek, frame_hours=plan.frame_hours,
                    used_sek=plan.committed_sek, used_hours=plan.committed_hours,
                    goals=tuple(GoalView(g.support_area, g.title, g.start, g.end, g.units) for g in goals))
    return plan_card(t, view)


# --- årshjul / wheel -----------------------------------------------------------------------------


def _entry_status(row: ReminderOccurrence | None, due_at: dt.datetime, now: dt.datetime) -> str:
    if row is None:
        return "upcoming" if due_at > now else "none"
    if row.answer in ("done", "not_applicable", "started", "snoozed"):
        return row.answer
    if row.status == OccurrenceStatus.sent.value:
        return "open"
    if row.status in (OccurrenceStatus.missed.value, OccurrenceStatus.failed.value):
        return row.status
    return "upcoming"


def year_overview(session, wheel: Wheel, year: int, now: dt.datetime, scopes: list[str] | None):
    """(area name, name_en, linked, [(activity, due_at, status)]) for each wanted e-area."""
    linked = {scope for scope, _ in org.linked_channels(session, ChannelPurpose.steering)}
    occurrences = occurrences_for_year(wheel, year)
    out = []
    for area in org.e_areas(session):
        if scopes is not None and area.slug not in scopes:
            continue
        rows = {r.activity_key: r for r in repo.in_year(session, area.slug, year)}
        entries = []
        for occ in occurrences:
            row = rows.get(occ.activity_key)
            entries.append((wheel.activity(occ.activity_key), occ.due_at,
                            _entry_status(row, occ.due_at, now)))
        out.append((area.slug, area.name, area.name_en or area.name, area.slug in linked, entries))
    return out


WHEEL = re.compile(r"(?:årshjul|arshjul|wheel|annual wheel)(?: (?P<area>.+))?")


@cap.command("wheel", WHEEL.pattern, examples=("årshjul", "wheel"))
async def wheel_command(turn: Turn, match: re.Match) -> None:
    t = turn.t
    wanted = (match.group("area") or "").strip()
    now = turn.now()
    year = to_stockholm(now).year
    wheel = wheel_of(turn.services)

    def scopes(session):
        if wanted:
            area = org.find_e_area(session, wanted)
            return [area.slug] if area else []
        mine = sorted({a.scope for a in org.roles_of(session, turn.speaker.aad_id)
                       if a.scope != org.PORTFOLIO_SCOPE})
        return mine or None  # no role in an e-area: show every e-area

    chosen = await turn.db.run(scopes)
    if chosen == []:
        await turn.say(t("I do not know an e-area called \"{name}\".", name=escape(wanted)))
        return
    overview = await turn.db.run(year_overview, wheel, year, now, chosen)
    lang = t.lang
    current = to_stockholm(now).month
    areas = []
    for _slug, name, name_en, linked, entries in overview:
        areas.append(wheel_cards.AreaYear(
            name_en if lang == "en" else name, linked,
            tuple(wheel_cards.WheelEntry(a.month, a.title[lang], status, due.astimezone(STOCKHOLM).date().isoformat())
                  for a, due, status in entries)))
    await turn.send_card(wheel_cards.wheel_card(t, year, areas, current))
    if overview:
        _slug, name, name_en, _linked, entries = overview[0]
        picture = wheel_picture(t, year, name_en if lang == "en" else name, current, entries)
        if picture is not None:
            await turn.send_card(picture)


def wheel_picture(t: Translator, year: int, area_name: str, current_month: int | None, entries) -> dict | None:
    """The picture card, or None when no PNG rasteriser is installed."""
    names = wheel_cards.status_names(t)
    marks = tuple(Mark(a.month, a.title[t.lang], status if status != "none" else "upcoming")
                  for a, _due, status in entries)
    legend = {k: names[k] for k in ("done", "started", "open", "snoozed", "missed", "upcoming")}
    title = t("Annual wheel {year}", year=year)
    svg = render_svg(WheelPicture(title, area_name, wheel_cards.short_month_names(t), current_month, marks, legend))
    png = to_png(svg)
    if png is None:
        return None
    return wheel_cards.picture_card(t, f"{title} · {area_name}", "data:image/png;base64," + b64encode(png).decode())


__all__ = ["TickReport", "instance_id", "settle", "tick", "wheel_of", "year_overview"]
