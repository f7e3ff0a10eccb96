"""The wheel's tick against a real database and the fake Teams connector: grace and missed,
429 with Retry-After, a channel that keeps failing (and how admins see it), escalation to the
chair, the weekly digest and snooze wake-ups."""

import datetime as dt

from aiohttp import web

from bot.cli.main import main as cli_main
from dialogs import wheel as reminders
from storage import outbox as outbox_repo
from storage import reminders as repo
from storage.reminder_tables import Answer
from tests.scenarios.wheel_kit import WallClock, channel_posts, link, local, make_services
from tests.support.botkit import ALEX
from tests.support.connector import FakeConnector

UTB = "19:utbildning-styrgrupp@thread.tacv2"
EKO = "19:ekonomi-styrgrupp@thread.tacv2"
# 2026-03-10 is a Tuesday: "mar-steering-material" goes out at 09:00 (5 working days before
# the third-Tuesday meeting on 17 March).
MATERIAL = ("mar-steering-material", "2026-03")
ALEX_AAD = ALEX.aad_id  # chair (and coordinator) of utbildning in the demo data


# Linked the day before: nothing was due while Styra was down (see test_wheel_missed.py for that).
LINKED = local(2026, 3, 9)


def setup(db_url, connector, when, linked_at=LINKED, **env):
    clock = WallClock(when)
    services = make_services(db_url, clock, **env)
    link(services.db, "utbildning", UTB, connector.url, linked_at=linked_at)
    return services, clock


async def test_due_reminder_is_posted_once_and_older_ones_are_missed(db_url, connector, capsys, monkeypatch):
    # Linked in January, first tick on 10 March: Styra was down for the reminders between.
    services, clock = setup(db_url, connector, local(2026, 3, 10, 9, 0), linked_at=local(2026, 1, 1))
    try:
        first = await reminders.tick(services)
        again = await reminders.tick(services)
        row = await services.db.run(repo.by_key, *MATERIAL, "utbildning")
        funnel = await services.db.run(repo.by_key, "mar-funnel-q2", "2026-03", "utbildning")
    finally:
        services.db.dispose()
    assert first.missed == 4 and again.sent == 0 and again.materialised == 0 and again.missed == 0
    posts = channel_posts(connector, UTB)
    on_time = [p for p in posts if p.card["fallbackText"] == "Skriv underlaget till styrgruppens möte"]
    assert len(on_time) == 1
    card = on_time[0].card
    assert "Svar senast" in on_time[0].all_text() and "2026-03-16" in on_time[0].all_text()
    assert card["refresh"]["action"]["data"] == {"verb": "reminder.refresh", "occurrence_id": row.id}
    assert card["refresh"]["userIds"] == ["user-id-0"]  # Alex, the only coordinator of utbildning
    assert "actions" not in card  # as posted, read-only: buttons come with the refresh
    assert row.status == "sent" and row.activity_id == on_time[0].activity_id and row.missed_at is None
    # 3 March (mar-funnel-q2) is a week old, beyond the 72-hour grace: posted once as missed.
    assert funnel.missed_at is not None and funnel.status == "sent"
    missed = [p for p in posts if p.card["fallbackText"].startswith("Missad, fortfarande aktuell?")]
    assert len(missed) == 3 and funnel.activity_id in {p.activity_id for p in missed}
    # 7 January is more than 45 days old: listed as missed, not posted into the channel.
    kickoff = services.db.call(repo.by_key, "jan-kickoff", "2026-01", "utbildning")
    assert kickoff.status == "missed" and kickoff.activity_id is None

    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli_main(["reminders", "status"]) == 0
    out = capsys.readouterr().out
    assert "mar-funnel-q2/2026-03/utbildning" in out and "4 missade medan Styra var nere" in out
    [line] = [x for x in out.splitlines() if x.startswith("jan-kickoff/2026-01/utbildning")]
    assert line.split()[1] == "missed"
    assert "mar-steering-material/2026-03/utbildning" in out


async def test_within_grace_a_reminder_missed_while_down_is_posted_on_start(db_url, connector):
    # Styra was down on the 10th; it starts on Thursday the 12th, within the 72-hour grace.
    services, clock = setup(db_url, connector, local(2026, 3, 12, 14, 0))
    try:
        report = await reminders.tick(services)
    finally:
        services.db.dispose()
    assert report.sent == 1
    assert channel_posts(connector, UTB)[0].card["fallbackText"] == "Skriv underlaget till styrgruppens möte"


async def test_429_with_retry_after_is_honoured_and_the_reminder_posted_once(db_url, connector):
    services, clock = setup(db_url, connector, local(2026, 3, 10, 9, 0))
    pacer_clock = services.outbound.deliverer._clock
    connector.fail_next(429, times=2, retry_after=3)
    try:
        report = await reminders.tick(services)
        row = await services.db.run(repo.by_key, *MATERIAL, "utbildning")
    finally:
        services.db.dispose()
    assert report.sent == 1
    attempts = [r for r in connector.requests if r[0] == "POST" and UTB in r[1]]
    assert len(attempts) == 3  # two 429s, then accepted
    assert len(channel_posts(connector, UTB)) == 1
    assert pacer_clock.now() >= 6.0  # waited Retry-After twice (virtual time)
    assert row.status == "sent" and row.attempts == 1


class BrokenChannelConnector(FakeConnector):
    """Answers 500 for one conversation, every time; the others work."""

    broken: str = ""

    async def _post_activity(self, request: web.Request) -> web.Response:
        if request.match_info["conv"] == self.broken:
            self.requests.append(("POST", request.path))
            return web.json_response({"error": {"code": "ServiceError"}}, status=500)
        return await super()._post_activity(request)


async def test_a_channel_that_keeps_failing_is_recorded_failed_and_never_blocks_others(db_url, capsys, monkeypatch):
    connector = await BrokenChannelConnector().start()
    connector.broken = UTB
    services, clock = setup(db_url, connector, local(2026, 3, 10, 9, 0))
    link(services.db, "ekonomi", EKO, connector.url, linked_at=LINKED)
    try:
        first = await reminders.tick(services)
        row = await services.db.run(repo.by_key, *MATERIAL, "utbildning")
        assert (row.status, row.attempts, row.last_status) == ("due", 1, 500)
        # Later rounds (5 minutes apart) fail too; the third round gives up for good.
        for minutes in (5, 10):
            clock.now = local(2026, 3, 10, 9, minutes)
            await reminders.tick(services)
        row = await services.db.run(repo.by_key, *MATERIAL, "utbildning")
        ekonomi = await services.db.run(repo.by_key, *MATERIAL, "ekonomi")
    finally:
        services.db.dispose()
        await connector.close()
    assert first.sent == 1 and first.retrying == 1
    assert ekonomi.status == "sent" and len(channel_posts(connector, EKO)) == 1
    assert row.status == "failed" and row.attempts == 3 and row.last_status == 500
    tries = [r for r in connector.requests if UTB in r[1]]
    assert len(tries) == 3 * 5  # three rounds of five attempts (transient 5xx retried)

    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli_main(["--lang", "en", "reminders", "status"]) == 0
    out = capsys.readouterr().out
    assert "mar-steering-material/2026-03/utbildning" in out and "failed" in out and "500" in out
    assert "1 failed" in out

    assert cli_main(["reminders", "resend", "mar-steering-material/2026-03/utbildning"]) == 0
    row = services.db.call(repo.by_key, *MATERIAL, "utbildning")
    assert row.status == "due" and row.attempts == 0


async def test_a_removed_bot_403_fails_at_once_and_marks_the_conversation(db_url, connector):
    services, clock = setup(db_url, connector, local(2026, 3, 10, 9, 0))
    connector.fail_next(403, times=1)
    try:
        report = await reminders.tick(services)
        row = await services.db.run(repo.by_key, *MATERIAL, "utbildning")
        from storage import org

        ref = await services.db.run(org.conversation, UTB)
    finally:
        services.db.dispose()
    assert report.failed == 1 and row.status == "failed" and row.last_status == 403
    assert ref.failed_at is not None


async def test_unanswered_reminder_is_escalated_to_the_chair_once(db_url, connector):
    services, clock = setup(db_url, connector, local(2026, 3, 10, 9, 0), STYRA_ESCALATION_WORKING_DAYS=3)
    try:
        await reminders.tick(services)
        clock.now = local(2026, 3, 12, 10, 0)  # two working days: not yet
        assert (await reminders.tick(services)).escalated == 0
        clock.now = local(2026, 3, 13, 9, 0)  # three working days
        assert (await reminders.tick(services)).escalated == 1
        # The nudge is an outbox row written with the escalation, not a send inside the tick.
        nudges = [r for r in await services.db.run(outbox_repo.rows_for, "reminder:") if r.kind == "reminder.escalation"]
        assert [(r.recipient, r.status) for r in nudges] == [("person:" + ALEX_AAD, "pending")]
        assert not [s for s in connector.sent if s.conversation_id == "a:personal-user-id-0"]
        clock.now = local(2026, 3, 16, 9, 0)
        assert (await reminders.tick(services)).escalated == 0
        await services.outbox.drain()
    finally:
        services.db.dispose()
    # Alex chairs utbildning: the nudge goes to his 1:1 chat, in Swedish.
    personal = [s for s in connector.sent if s.method == "POST" and s.conversation_id == "a:personal-user-id-0"]
    assert len(personal) == 1
    assert "En påminnelse har inte besvarats" in personal[0].all_text()
    assert "Skriv underlaget till styrgruppens möte" in personal[0].all_text()


async def test_answered_reminder_is_not_escalated(db_url, connector):
    services, clock = setup(db_url, connector, local(2026, 3, 10, 9, 0), STYRA_ESCALATION_WORKING_DAYS=1)
    try:
        await reminders.tick(services)
        row = await services.db.run(repo.by_key, *MATERIAL, "utbildning")
        await services.db.run(repo.answer, row.id, Answer.started, "x", "Alex", clock.now)
        clock.now = local(2026, 3, 13, 9, 0)
        assert (await reminders.tick(services)).escalated == 0
    finally:
        services.db.dispose()


async def test_weekly_digest_lists_what_is_open(db_url, connector):
    services, clock = setup(db_url, connector, local(2026, 3, 10, 9, 0))
    try:
        await reminders.tick(services)
        clock.now = local(2026, 3, 12, 9, 0)  # Thursday: this week's Monday was before the post
        await reminders.tick(services)
        assert len(channel_posts(connector, UTB)) == 1
        clock.now = local(2026, 3, 16, 9, 0)  # Monday 09:00: the digest
        await reminders.tick(services)
        await reminders.tick(services)
    finally:
        services.db.dispose()
    posts = channel_posts(connector, UTB)
    digests = [p for p in posts if p.card["fallbackText"] == "Öppet i årshjulet · Utbildning"]
    assert len(digests) == 1
    digest = digests[0].all_text()
    assert "Vecka 12" in digest
    assert "Skriv underlaget till styrgruppens möte" in digest


async def test_snoozed_reminder_is_posted_again_on_its_date(db_url, connector):
    services, clock = setup(db_url, connector, local(2026, 3, 10, 9, 0))
    try:
        await reminders.tick(services)
        row = await services.db.run(repo.by_key, *MATERIAL, "utbildning")
        await services.db.run(repo.answer, row.id, Answer.snoozed, "x", "Alex Wilber", clock.now,
                               snooze_until=dt.date(2026, 3, 12))
        clock.now = local(2026, 3, 11, 9, 0)
        assert (await reminders.tick(services)).sent == 0
        clock.now = local(2026, 3, 12, 8, 0)
        woke = await reminders.tick(services)
        clock.now = local(2026, 3, 12, 8, 1)
        assert (await reminders.tick(services)).sent == 0
        row = await services.db.run(repo.by_key, *MATERIAL, "utbildning")
    finally:
        services.db.dispose()
    assert woke.woken == 1 and woke.sent == 1
    posts = channel_posts(connector, UTB)
    assert len(posts) == 2 and posts[1].card["fallbackText"] == posts[0].card["fallbackText"]
    assert row.status == "sent" and row.answer is None and row.sent_count == 2
    assert row.activity_id == posts[1].activity_id  # later updates go to the new post


async def test_scheduler_has_one_tick_job_with_a_fixed_id(db_url):
    from bot.scheduler import Scheduler

    services = make_services(db_url, WallClock(local(2026, 3, 10, 9, 0)))
    scheduler = Scheduler(services)
    try:
        first = scheduler.start()
        jobs = first.get_jobs()
        assert [job.id for job in jobs] == ["styra-tick"]
        assert jobs[0].trigger.interval == dt.timedelta(minutes=1)
        assert jobs[0].max_instances == 1
        await scheduler.stop()
        assert not first.running
        # A restart builds a fresh scheduler with the same single job, never a second copy.
        second = scheduler.start()
        assert [job.id for job in second.get_jobs()] == ["styra-tick"]
        await scheduler.stop()
    finally:
        services.db.dispose()


async def test_styra_timezone_moves_the_local_send_time(db_url, connector):
    # 08:00 in Stockholm is 09:00 in Helsinki: a wheel read in Helsinki time is due already.
    helsinki, clock = setup(db_url, connector, local(2026, 3, 10, 8, 0), STYRA_TIMEZONE="Europe/Helsinki")
    try:
        early = await reminders.tick(helsinki)
        row = await helsinki.db.run(repo.by_key, *MATERIAL, "utbildning")
    finally:
        helsinki.db.dispose()
    assert early.sent == 1 and row.status == "sent"
    assert row.due_at == dt.datetime(2026, 3, 10, 7, 0, tzinfo=dt.UTC)  # 09:00 +02:00
    assert len(channel_posts(connector, UTB)) == 1


async def test_the_default_timezone_sends_at_nine_in_stockholm(db_url, connector):
    services, clock = setup(db_url, connector, local(2026, 3, 10, 8, 0))
    try:
        early = await reminders.tick(services)
        clock.now = local(2026, 3, 10, 9, 0)
        on_time = await reminders.tick(services)
        row = await services.db.run(repo.by_key, *MATERIAL, "utbildning")
    finally:
        services.db.dispose()
    assert early.sent == 0 and on_time.sent == 1
    assert row.due_at == dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)  # 09:00 +01:00
