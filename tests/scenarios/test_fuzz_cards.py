"""A few hundred mutated clicks of every verb (fixed seed) through the real HTTP route: never a
5xx, never an ERROR line or a traceback, and a request the envelope or the access policy refuses
changes no row."""

from __future__ import annotations

import hashlib
import json
import logging
import random
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import SQLModel

from bot.envelope import INPUTS
from storage.commission_tables import Commission, CommissionApproval
from storage.models import BasisStatus
from storage.reminder_tables import ReminderOccurrence
from tests.support.assessment_factory import make_need
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, STRANGER
from tests.support.decision_kit import link_channels, make_basis
from tests.support.verbs import REGISTRY

SEED = 20261201
ROUNDS = 3  # mutations per verb and round
NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)
# Rows every turn touches (who wrote, where, which activity): bookkeeping, not business.
BOOKKEEPING = {"person", "conversation_ref", "processed_activity", "bot_state"}
REFUSALS = ("Det här kortet är inaktuellt eller skadat", "This card is out of date or damaged",
            "Jag kunde inte läsa den knappen", "I could not read that button",
            "Det kan jag inte visa: det finns inte", "I cannot show that: it does not exist",
            "En text är för lång", "A text is too long",
            "Du kan se det här, men du har inte den roll", "You can see this, but you do not have the role",
            "Du kan bara ange att du också berörs", "You can say you are also affected only",
            "Behovet är avslutat", "That need is closed")


def fingerprint(session) -> str:
    digest = hashlib.sha256()
    for table in SQLModel.metadata.sorted_tables:
        if table.name in BOOKKEEPING:
            continue
        rows = session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        digest.update(table.name.encode() + json.dumps([list(r) for r in rows], default=str).encode())
    return digest.hexdigest()


def arrange(session, service_url: str) -> dict[str, int | str]:
    link_channels(session, service_url)
    need = make_need(session)
    ready = make_basis(session)
    anchoring = make_basis(session, status=BasisStatus.anchoring)
    row = ReminderOccurrence(activity_key="kickoff", period="2026-01", scope="utbildning", due_at=NOW,
                             send_after=NOW, status="sent", conversation_id="19:steering@thread.tacv2")
    commission = Commission(title="Nätverk för e-lärande", kind="network", created_by=ISAIAH.aad_id,
                            lead=ISAIAH.aad_id, responsible_manager=MEGAN.aad_id, frozen=True)
    session.add_all([row, commission])
    session.flush()
    session.add(CommissionApproval(commission_id=commission.id, version=1, manager=MEGAN.aad_id))
    return {"need_id": need.id, "basis_id": ready, "anchoring": anchoring, "occurrence_id": row.id,
            "assessment_id": 1, "area": "utbildning", "commission_id": commission.id, "version": 1}


def base_data(verb: str, ids: dict, rng: random.Random) -> dict:
    model = REGISTRY.model_of(verb)
    data: dict = {"verb": verb}
    for name in model.model_fields:
        if name == "basis_id":
            data[name] = rng.choice((ids["basis_id"], ids["anchoring"]))
        elif name in ids:
            data[name] = ids[name]
        elif name in ("form", "check", "form_id"):
            data[name] = "a1b2c3d4e5f6a7b8"
    for key in INPUTS.get(verb, {}):
        data[key] = "ok"
    return data


def hostile(rng: random.Random) -> object:
    return rng.choice((10**30, -5, 0, 2**31, 2**31 - 1, "1", "x" * 300, 1.5, None, [1], {"a": 1}, True,
                       "a\nb\x00c", "å" * 90_000, 999_999, float("1e30")))


def mutate(data: dict, rng: random.Random) -> dict:
    out = dict(data)
    for _ in range(rng.randint(1, 3)):
        move = rng.randrange(7)
        keys = [k for k in out if k != "verb"]
        if move == 0 and keys:
            out[rng.choice(keys)] = hostile(rng)
        elif move == 1 and keys:
            out.pop(rng.choice(keys))
        elif move == 2:
            out[rng.choice(("comment", "reason", "risk", "title", "extra"))] = "å" * rng.choice((999, 2001, 3001, 12_000))
        elif move == 3:
            out["verb"] = rng.choice((*sorted(REGISTRY.known_verbs()), "", "no.such", "x" * 90_000, 5, None))
        elif move == 4 and keys:
            out[rng.choice(keys)] = rng.choice(("", " ", "\u2028", "<at>x</at>", "../../etc"))
        elif move == 5:
            out["level"] = rng.choice(("portfolio", "steering", "other", 3))
        # move 6: unchanged (a plausible click by whoever sends it)
    return out


async def send(bot, data, rng: random.Random):
    user = rng.choice((ALEX, ISAIAH, STRANGER, ADELE, MEGAN))
    kind = rng.choice(("personal", "channel"))
    shape = rng.randrange(10)
    if shape < 6:
        value = {"action": {"type": "Action.Execute", "verb": data.get("verb"), "data": data}, "trigger": "manual"}
        if shape == 5:
            value = rng.choice(({"action": "x"}, {"action": {"data": [data]}}, [value], "v"))
        body = bot.activity(user, kind=kind, type_="invoke", value=value, name="adaptiveCard/action")
    else:
        body = bot.activity(user, kind=kind, value=data)
    before = len(bot.connector.sent)
    response = await bot.post(body)
    payload = await response.json() if response.content_type == "application/json" else {}
    shown = json.dumps(payload, ensure_ascii=False) + "".join(s.all_text() for s in bot.connector.sent[before:])
    return response.status, shown


async def test_mutated_clicks_never_fail_and_refusals_change_nothing(bot, caplog):
    bot.services.clock = lambda: NOW
    ids = await bot.query(arrange, bot.connector.url)
    rng = random.Random(SEED)
    refused, sent = 0, 0
    await bot.services.outbox.drain()
    before = await bot.query(fingerprint)
    with caplog.at_level(logging.INFO):
        for _round in range(ROUNDS):
            for verb in sorted(REGISTRY.known_verbs()):
                for _ in range(3):
                    data = mutate(base_data(verb, ids, rng), rng)
                    status, shown = await send(bot, data, rng)
                    sent += 1
                    assert status < 500, (status, data)
                    await bot.services.outbox.drain()  # what earlier clicks left to send is sent now
                    after = await bot.query(fingerprint)
                    if any(word in shown for word in REFUSALS):
                        refused += 1
                        assert after == before, (verb, data, shown[:300])
                    before = after
    errors = [f"{r.name}: {r.getMessage()[:300]}" for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], errors[:5]
    assert sent >= 200 and refused >= sent // 3, (sent, refused)
