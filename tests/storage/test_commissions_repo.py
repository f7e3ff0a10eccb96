"""The commission repository on both backends: drafts, versions, one answer per manager and
version (also under a concurrent double click), decision and numbering, closing."""

import asyncio
import json
from datetime import UTC, datetime

from bot.rules import commissions as rules
from bot.rules.commissions import Answer, Closure
from storage import commission_queries as queries
from storage import commissions as repo
from storage.commission_tables import CommissionApproval, CommissionVersion

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
DOC = {"purpose": "En gemensam rutin", "expected_result": "Rutin beslutad", "start": "2026-09-01",
       "end": "2026-12-15", "lead": "lead", "responsible_manager": "m1", "managers": ["m2", "m3", "m1"],
       "participants": ["p1", "p2"], "cadence": "monthly"}


def _draft(session, key="form-1"):
    c = repo.create_draft(session, key=key, creator="lead", title="Lånedatorer", kind="coordination",
                          length="short", fields={"need": "Alla enheter gör olika"}, now=NOW)
    session.flush()
    repo.save_draft(session, c.id, actor="lead", fields={"form": "working_group", **DOC}, step=3, now=NOW)
    return c.id


async def _submitted(db):
    cid = await db.run(_draft)
    await db.run(lambda s: repo.submit(s, cid, actor="lead", now=NOW))
    return cid


async def test_create_is_idempotent_and_saving_keeps_one_version(any_db):
    first = await any_db.run(_draft)
    again = await any_db.run(_draft)
    assert first == again

    def look(s):
        c = queries.get(s, first)
        return c.status, c.version, c.lead, c.form, len(queries.versions(s, first)), queries.document(s, c)

    status, version, lead, form, count, doc = await any_db.run(look)
    assert (status, version, lead, form, count) == ("draft", 1, "lead", "working_group", 1)
    assert doc["need"] == "Alla enheter gör olika" and doc["managers"] == ["m2", "m3", "m1"]
    assert [c.id for c in await any_db.run(queries.open_drafts, "lead")] == [first]


async def test_submit_asks_each_manager_once_and_messages_in_the_same_transaction(any_db):
    cid = await any_db.run(_draft)
    told = []

    def notify(session, change):
        told.append((change.asked, change.notes))

    done = await any_db.run(lambda s: repo.submit(s, cid, actor="lead", now=NOW, notify=notify))
    assert done.ok and told == [(("m1", "m2", "m3"), (rules.N_SUBMITTED,))]
    rows = await any_db.run(queries.approvals, cid)
    assert [(r.manager, r.version, r.answer) for r in rows] == [("m1", 1, None), ("m2", 1, None), ("m3", 1, None)]
    again = await any_db.run(lambda s: repo.submit(s, cid, actor="lead", now=NOW))
    assert again.error == rules.E_NOT_DRAFT


async def test_a_failing_notify_writes_nothing(any_db):
    cid = await any_db.run(_draft)

    def boom(session, change):
        raise RuntimeError("outbox down")

    try:
        await any_db.run(lambda s: repo.submit(s, cid, actor="lead", now=NOW, notify=boom))
    except RuntimeError:
        pass
    assert await any_db.run(queries.approvals, cid) == []
    assert (await any_db.run(queries.get, cid)).status == "draft"


async def test_three_managers_with_a_concurrent_double_click_decide_once_and_number_it(any_db):
    cid = await _submitted(any_db)

    def yes(manager):
        return any_db.run(lambda s: repo.respond(s, cid, version=1, manager=manager, answer=Answer.approved,
                                                 comment="", now=NOW))

    first = await asyncio.gather(yes("m1"), yes("m1"), yes("m2"))
    assert sorted(n for d in first for n in d.notes) == sorted([rules.N_APPROVED, rules.N_APPROVED, rules.N_DUPLICATE])
    last = await asyncio.gather(yes("m3"), yes("m3"))
    decided = [d for d in last if rules.N_DECIDED in d.notes]
    assert len(decided) == 1 and decided[0].commission.number == "U-2026-0001"

    def look(s):
        rows = s.exec(CommissionApproval.__table__.select().where(CommissionApproval.commission_id == cid)).all()
        c = queries.get(s, cid)
        return len(rows), sorted(r.answer for r in rows), c.status, c.decided_version, queries.version_row(s, cid, 1).status

    assert await any_db.run(look) == (3, ["approved"] * 3, "decided", 1, "approved")
    late = await any_db.run(lambda s: repo.respond(s, cid, version=1, manager="m2", answer=Answer.declined,
                                                   comment="nej", now=NOW))
    assert late.error == rules.E_ALREADY_ANSWERED


async def test_decline_returns_it_and_resubmission_is_the_next_version(any_db):
    cid = await _submitted(any_db)
    no = await any_db.run(lambda s: repo.respond(s, cid, version=1, manager="m2", answer=Answer.declined,
                                                 comment="För stor budget", now=NOW))
    assert no.notes == (rules.N_RETURNED,) and no.commission.status == "draft"
    await any_db.run(lambda s: repo.save_draft(s, cid, actor="lead", fields={"purpose": "Mindre"}, now=NOW))
    done = await any_db.run(lambda s: repo.submit(s, cid, actor="lead", now=NOW))
    assert done.ok and done.commission.version == 2
    statuses = await any_db.run(lambda s: [(v.version, v.status) for v in queries.versions(s, cid)])
    assert statuses == [(1, "declined"), (2, "submitted")]
    old = await any_db.run(lambda s: repo.respond(s, cid, version=1, manager="m1", answer=Answer.approved,
                                                  comment="", now=NOW))
    assert old.error == rules.E_OUTDATED and old.commission.version == 2


async def test_a_change_in_flight_resets_approvals_and_tells_who_had_answered(any_db):
    cid = await _submitted(any_db)
    await any_db.run(lambda s: repo.respond(s, cid, version=1, manager="m1", answer=Answer.approved, comment="", now=NOW))
    told = []
    done = await any_db.run(lambda s: repo.save_draft(
        s, cid, actor="lead", fields={"managers": ["m2"]}, now=NOW,
        notify=lambda _s, change: told.append((change.asked, change.previous))))
    assert rules.N_APPROVALS_RESET in done.notes and done.commission.version == 2
    assert told == [(("m1", "m2"), ("m1", "m2", "m3"))]
    rows = await any_db.run(queries.approvals, cid, 2)
    assert [(r.manager, r.answer) for r in rows] == [("m1", None), ("m2", None)]


async def test_change_of_a_decided_commission_keeps_its_number_and_the_old_version(any_db):
    cid = await _submitted(any_db)
    for m in ("m1", "m2", "m3"):
        await any_db.run(lambda s, m=m: repo.respond(s, cid, version=1, manager=m, answer=Answer.approved,
                                                     comment="", now=NOW))
    started = await any_db.run(lambda s: repo.start_change(s, cid, actor="lead", now=NOW))
    assert started.ok and started.commission.version == 2
    await any_db.run(lambda s: repo.save_draft(s, cid, actor="lead", fields={"end": "2027-03-31"}, now=NOW))
    await any_db.run(lambda s: repo.submit(s, cid, actor="lead", now=NOW))
    for m in ("m1", "m2", "m3"):
        last = await any_db.run(lambda s, m=m: repo.respond(s, cid, version=2, manager=m, answer=Answer.approved,
                                                            comment="", now=NOW))
    assert last.notes == (rules.N_APPROVED, rules.N_DECIDED)
    c = await any_db.run(queries.get, cid)
    assert (c.number, c.decided_version, str(c.end)) == ("U-2026-0001", 2, "2027-03-31")
    versions = await any_db.run(lambda s: [(v.version, v.status, json.loads(v.document)["end"]) for v in queries.versions(s, cid)])
    assert versions == [(1, "replaced", "2026-12-15"), (2, "approved", "2027-03-31")]


async def test_close_with_final_report_and_acknowledge(any_db):
    cid = await _submitted(any_db)
    early = await any_db.run(lambda s: repo.close(s, cid, actor="lead", closure=Closure.completed,
                                                  sections={"results": "x"}, now=NOW))
    assert early.error == rules.E_NOT_DECIDED
    for m in ("m1", "m2", "m3"):
        await any_db.run(lambda s, m=m: repo.respond(s, cid, version=1, manager=m, answer=Answer.approved,
                                                     comment="", now=NOW))
    done = await any_db.run(lambda s: repo.close(s, cid, actor="lead", closure=Closure.partly,
                                                 sections={"results": "Rutinen finns"}, now=NOW))
    assert done.ok and done.commission.status == "closed" and done.commission.closure == "partly"
    twice = await any_db.run(lambda s: repo.close(s, cid, actor="lead", closure=Closure.partly, sections={}, now=NOW))
    assert twice.notes == (rules.N_DUPLICATE,)
    wrong = await any_db.run(lambda s: repo.acknowledge(s, cid, actor="lead", now=NOW))
    assert wrong.error == repo.E_NOT_RESPONSIBLE
    assert (await any_db.run(lambda s: repo.acknowledge(s, cid, actor="m1", now=NOW))).ok
    found = await any_db.run(queries.report, cid)
    assert json.loads(found.sections) == {"results": "Rutinen finns"} and found.acknowledged_by == "m1"


async def test_lists_visibility_and_discard(any_db):
    decided = await _submitted(any_db)
    for m in ("m1", "m2", "m3"):
        await any_db.run(lambda s, m=m: repo.respond(s, decided, version=1, manager=m, answer=Answer.approved,
                                                     comment="", now=NOW))
    draft = await any_db.run(_draft, "form-2")
    everyone = await any_db.run(lambda s: [c.id for c in queries.listing(s)])
    assert everyone == [decided]  # a draft is only its writer's business
    assert await any_db.run(lambda s: [c.id for c in queries.listing(s, mine="lead")]) == [draft, decided]
    assert await any_db.run(lambda s: [c.id for c in queries.listing(s, mine="m3")]) == [decided]
    assert await any_db.run(lambda s: [c.id for c in queries.listing(s, kind="network")]) == []
    assert await any_db.run(lambda s: queries.may_read_in_full(s, queries.get(s, decided), "p2"))
    assert not await any_db.run(lambda s: queries.may_read_in_full(s, queries.get(s, decided), "stranger"))
    assert (await any_db.run(queries.by_number, "u-2026-0001")).id == decided
    assert (await any_db.run(lambda s: repo.discard(s, decided, actor="lead"))).error == rules.E_CANNOT_DISCARD
    assert (await any_db.run(lambda s: repo.discard(s, draft, actor="lead"))).ok
    assert await any_db.run(queries.get, draft) is None
    assert await any_db.run(lambda s: s.exec(CommissionVersion.__table__.select().where(
        CommissionVersion.commission_id == draft)).all()) == []
