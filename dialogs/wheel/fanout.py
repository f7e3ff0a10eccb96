"""The wheel's tick: what is due becomes a row, is claimed, and is posted once.

`tick(services, now)` is all the scheduler calls (once a minute). The database, not the
scheduler, holds what is due and who is sending it, so any number of ticks - from two
instances, a restart, a daylight-saving hour that repeats - posts each reminder once:

1. materialise: every wheel occurrence due up to `now` becomes a row per e-area with a linked
   steering-group channel (INSERT .. ON CONFLICT DO NOTHING on (activity, period, e-area));
   plus the weekly digest of what is open, and snoozes whose date has come go back to due;
2. rows still unsent after the grace period (Styra was down) are marked missed: each is posted
   once as "missed - still relevant?" (with the usual answers), listed in the weekly digest and
   in `styra reminders status`, apart from failed deliveries;
3. claim: a conditional UPDATE moves due rows (or rows whose claim expired) to claimed by this
   instance, with an expiry; an instance only sends what it claimed;
4. deliver: post the card through `services.outbound` (pacing, retries, Retry-After), then
   record sent + the activity id (for in-place updates) in ONE short transaction;
5. follow up: unanswered reminders are escalated to the chair after N working days (outbox rows).

The reminders keep their own claimed table (they are materialised from the calendar, not written
by a use case); everything else goes through the outbox: an answer's updates of the posted
copies and what "Start" sends to the 1:1 chat are rows written with the answer.

Crash safety, and what is guaranteed. The order is claim (commit) -> send -> mark sent
(commit). A crash after the claim and before the send leaves a claimed row; when its claim
expires (`STYRA_REMINDER_CLAIM_MINUTES`) the next tick sends it: nothing is lost. A crash in
the window after Teams accepted the post and before the "sent" commit also leaves a claimed
row, and it is posted a second time after the claim expires. Teams has no idempotency key for
bot messages, so exactly-once delivery to Teams is impossible; what Styra guarantees is:
every reminder is posted at least once (or recorded as failed / missed, visibly), and at most
once except for a process death inside that window, which is one HTTP response plus one small
commit long (milliseconds). The window is kept that small on purpose: a cancelled fan-out
waits for its "sent" writes before it ends, nothing else runs between the response and that
write, and the claim is long enough (default 15 minutes) that a slow but live sender is never
overtaken. A graceful stop lets the running tick finish (bot/scheduler.py). An escalation is
claimed and its outbox rows written in one transaction: each chair is nudged once per post.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass, field

from bot.i18n import Translator, translator
from bot.outbox import card_activity
from bot.rules.calendar import to_local
from bot.rules.wheel import Wheel, due_between
from bot.teams.delivery import Outcome
from cards import reminder as reminder_cards
from dialogs.wheel import digest
from dialogs.wheel.common import cap, instance_id, log, reminder_view, wheel_of
from storage import outbox
from storage import reminders as repo
from storage.outbox import Recipient
from storage.reminder_tables import OccurrenceStatus, ReminderOccurrence
from storage.reminders import SteeringChannel

RETRY_LATER = dt.timedelta(minutes=5)
# How far back a tick looks for occurrences of a channel linked long ago (a year and a bit).
LOOKBACK = dt.timedelta(days=400)


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
    zone = settings.zone
    report.materialised, report.missed = await db.run(_materialise, wheel, zone, now, grace,
                                                      settings.digest_weekday, floor)
    services.wheel_watermark = now
    report.woken = await db.run(_wake, wheel, to_local(now, zone).date(), now, settings)
    if report.woken and services.outbox is not None:
        services.outbox.nudge()
    lease = dt.timedelta(minutes=settings.reminder_claim_minutes)
    claimed = await db.run(repo.claim, instance_id(services), now, lease)
    report.claimed = len(claimed)
    if claimed:
        await _deliver_all(services, wheel, claimed, now, report)
    report.escalated = await digest.escalate(services, wheel, now)
    if any((report.materialised, report.sent, report.failed, report.missed, report.escalated)):
        log.info("wheel tick %s", report.as_dict())
    return report


def _materialise(session, wheel: Wheel, zone: dt.tzinfo, now: dt.datetime, grace: dt.timedelta,
                 digest_weekday: int, floor: dt.datetime) -> tuple[int, int]:
    """(new occurrences, newly missed). Missed ones are marked before the digests are made, so
    this week's digest lists what Styra found missed in the same round."""
    rows: list[dict] = []
    cache: dict[dt.datetime, list] = {}
    links = repo.steering_links(session)
    for link in links:
        # Reminders start with the link: a channel linked today gets today's reminder (within
        # the grace period), not a backlog of the months before it was linked.
        start = max(link.linked_at - grace, floor)
        if start >= now:
            continue
        found = cache.get(start)
        if found is None:
            found = cache[start] = due_between(wheel, start, now, zone)
        for occ in found:
            rows.append({
                "activity_key": occ.activity_key, "period": occ.period, "scope": link.scope,
                "e_area_id": link.e_area_id, "due_at": occ.due_at.astimezone(dt.UTC),
                "send_after": occ.due_at.astimezone(dt.UTC), "answer_by": occ.answer_by,
            })
    made = repo.materialise(session, rows)
    missed = repo.mark_missed(session, now - grace, now)
    weekly = [row for link in links
              if (row := digest.digest_row(session, wheel, zone, link, now, grace, digest_weekday))]
    return made + repo.materialise(session, weekly), missed


def _wake(session, wheel: Wheel, today: dt.date, now: dt.datetime, settings) -> int:
    """Snoozes that end today go back to due (posted again by this tick) and every copy posted
    before is updated in place, in the same transaction (an outbox row), so none of them is left
    saying "snoozed"."""
    woken = repo.wake_snoozed(session, today, now)
    t = translator(settings.default_locale)
    channels: dict[str, SteeringChannel | None] = {}
    for row in woken:
        if row.scope not in channels:
            channels[row.scope] = repo.steering_channels(session, row.scope).get(row.scope)
        view = dataclasses.replace(reminder_view(t, wheel, row, channels[row.scope], zone=settings.zone),
                                   status=OccurrenceStatus.sent.value, mentions=())
        card = reminder_cards.reminder_card(t, view, interactive=False, notice_style="emphasis",
                                            notice=t("The snooze is over: posted again on {date}.",
                                                     date=today.isoformat()))
        subject = repo.subject_of(row.id)
        outbox.enqueue(session, key=f"{subject}:wake:{row.sent_count}", to=Recipient.updates(subject),
                       activity=card_activity(card), kind="reminder.update", now=now)
    return len(woken)


async def _deliver_all(services, wheel: Wheel, claimed: list[ReminderOccurrence],
                       now: dt.datetime, report: TickReport) -> None:
    channels = await services.db.run(repo.steering_channels)
    t = translator(services.settings.default_locale)
    limit = asyncio.Semaphore(services.settings.reminder_concurrency)

    async def one(occ: ReminderOccurrence) -> None:
        async with limit:
            await _deliver_one(services, wheel, t, channels.get(occ.scope), occ, now, report)

    # return_exceptions: a cancelled (or failing) fan-out still waits for every delivery, so each
    # post Teams accepted is recorded before the tick ends; then the first error is raised.
    results = await asyncio.gather(*(one(occ) for occ in claimed), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


async def _deliver_one(services, wheel: Wheel, t: Translator, channel: SteeringChannel | None,
                       occ: ReminderOccurrence, now: dt.datetime, report: TickReport) -> None:
    db = services.db
    if channel is None:  # unlinked since it was materialised: leave it due (it ends as missed)
        await db.run(repo.release, occ.id)
        return
    if occ.activity_key == repo.DIGEST_KEY:
        open_rows = await db.run(repo.digest_rows, occ.scope, occ.due_at)
        card = digest.digest_card(t, wheel, channel, occ, open_rows)
    else:
        # As posted, the card shows the state it will have once the post is recorded.
        view = dataclasses.replace(reminder_view(t, wheel, occ, channel, zone=services.settings.zone), status=OccurrenceStatus.sent.value)
        card = reminder_cards.reminder_card(t, view, interactive=False)
    result = await services.outbound.send_card(channel.ref, card)
    if result.outcome is Outcome.SENT:
        # Once Teams has the message, a cancellation must not stop this write.
        await _durably(services.db, repo.mark_sent, occ.id, channel.ref.conversation_id,
                       result.activity_id, now, occ.activity_key == repo.DIGEST_KEY)
        report.sent += 1
        return
    permanent = result.outcome is Outcome.PERMANENT_FAILURE
    retry_in = max(RETRY_LATER, dt.timedelta(seconds=result.retry_after or 0))
    status = await _durably(services.db, functools.partial(
        repo.mark_failed, status=result.status, error=result.error, permanent=permanent,
        retry_in=retry_in), occ.id, now)
    if status == OccurrenceStatus.failed.value:
        report.failed += 1
    else:
        report.retrying += 1


async def _durably(db, work, *args):
    """A database write that must happen once Teams has the message. A cancellation (a stop in
    the middle of a fan-out) waits for the write to commit and is passed on after it, so the
    cancelled tick ends with every delivery it made recorded and nothing is left to track."""
    write = asyncio.ensure_future(db.run(work, *args))
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(write)
            break
        except asyncio.CancelledError:
            if write.cancelled():
                raise
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return result

