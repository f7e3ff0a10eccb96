"""Decision basis after an urgent assessment, anchored with the area owners (HTTP layer)."""

from sqlmodel import select

from storage import assessments as repo
from storage import bases as basis_repo
from storage.models import BasisStatus, NeedEvent
from storage.outbox import rows_for
from tests.scenarios.test_assessment_flow import WITHIN, _assess, _need
from tests.support.assessment_factory import set_frame
from tests.support.botkit import ADELE, ALEX, ISAIAH
from tests.support.cards import verbs

BASIS = {"business_goals": "Snabbare examination", "risk": "Leverantören hinner inte", "likelihood": "3",
         "impact": "4", "resources": "Två utvecklare", "hours": "300", "cost": "400000",
         "dependencies": "Forskning", "proposal": "Utöka ramen", "frame_hours": "300", "frame_sek": "400000"}


async def _basis_form(bot):
    need_id = await _need(bot)
    await bot.query(lambda s: set_frame(s, "utbildning", hours=100, sek=100_000))
    replies = await _assess(bot, need_id, {**WITHIN, "hours": "300", "cost": "400000", "urgent": "true"})
    # the raiser's notice may arrive among the replies: the outbox sends it meanwhile
    form = next(r.card for r in reversed(replies) if r.cards and "basis.submit" in verbs(r.card))
    data = next(a["data"] for a in form["actions"] if a["data"]["verb"] == "basis.submit")
    await bot.services.outbox.drain()
    return need_id, data


def _steering_posts(session, basis_id):
    """What a ready basis sets off: its post to the steering channel, waiting in the outbox."""
    return [(row.recipient, row.subject) for row in rows_for(session, f"decision-basis:{basis_id}:post")]


async def test_basis_is_anchored_by_all_area_owners_then_ready(bot):
    need_id, data = await _basis_form(bot)
    bot.connector.clear()
    replies = await bot.click({**data, **BASIS})
    assert any("skickat till de e-områdesansvariga: Adele Vance" in r.all_text() for r in replies)
    await bot.services.outbox.drain()
    to_adele = [s for s in bot.connector.sent if "Förankra" in s.all_text() or "Jag instämmer" in s.all_text()]
    assert to_adele, [s.all_text() for s in bot.connector.sent]
    basis = await bot.query(lambda s: basis_repo.latest_basis(s, need_id))
    assert basis.status == BasisStatus.anchoring and basis.version == 1 and basis.risk_impact == 4
    # the same form again stores nothing
    again = await bot.click({**data, **BASIS})
    assert "redan skickat" in again[-1].all_text()
    # only area owners may anchor: a coordinator (who may read the basis) is told whom to ask,
    # a steering-group member (who may not read it while it is anchored) learns nothing of it
    refused = await bot.click({"verb": "anchor.agree", "basis_id": basis.id}, user=ALEX)
    assert "Bara e-områdets e-områdesansvariga" in refused[-1].all_text()
    refused = await bot.click({"verb": "anchor.agree", "basis_id": basis.id}, user=ISAIAH)
    assert "Det kan jag inte visa: det finns inte" in refused[-1].all_text()
    replies = await bot.click({"verb": "anchor.agree", "basis_id": basis.id}, user=ADELE)
    assert "klart för styrgruppen" in replies[-1].all_text()
    fired = await bot.query(_steering_posts, basis.id)
    assert fired == [("linked:steering:utbildning", f"decision-basis:{basis.id}")]
    basis = await bot.query(lambda s: basis_repo.latest_basis(s, need_id))
    assert basis.status == BasisStatus.ready
    # a second click on the old card changes nothing and fires nothing
    replies = await bot.click({"verb": "anchor.agree", "basis_id": basis.id}, user=ADELE)
    assert "väntar inte längre" in replies[-1].all_text() and await bot.query(_steering_posts, basis.id) == fired


async def test_a_comment_sends_it_back_and_a_revision_is_a_new_version(bot):
    need_id, data = await _basis_form(bot)
    await bot.click({**data, **BASIS})
    await bot.services.outbox.drain()
    basis = await bot.query(lambda s: basis_repo.latest_basis(s, need_id))
    empty = await bot.click({"verb": "anchor.comment", "basis_id": basis.id, "comment": " "}, user=ADELE)
    assert "Skriv en kommentar först" in empty[-1].all_text()
    bot.connector.clear()
    await bot.click({"verb": "anchor.comment", "basis_id": basis.id, "comment": "Räkna om kostnaden"}, user=ADELE)
    await bot.services.outbox.drain()
    sent_back = [s for s in bot.connector.sent if "Räkna om kostnaden" in s.all_text()]
    assert sent_back and "Revidera beslutsunderlaget" in sent_back[0].all_text()
    assert (await bot.query(lambda s: basis_repo.latest_basis(s, need_id))).status == BasisStatus.sent_back
    revise = await bot.click({"verb": "basis.revise", "basis_id": basis.id}, user=ALEX)
    data2 = next(a["data"] for a in revise[-1].card["actions"])
    assert data2["after_version"] == 1
    await bot.click({**data2, **BASIS, "cost": "350000"}, user=ALEX)
    bases = await bot.query(lambda s: basis_repo.bases_of(s, need_id))
    assert [(b.version, b.status) for b in bases] == [(1, BasisStatus.superseded), (2, BasisStatus.anchoring)]
    assert bases[1].cost_sek == 350_000
    kinds = await bot.query(lambda s: [e.kind for e in s.exec(select(NeedEvent).where(NeedEvent.need_id == need_id))])
    assert kinds == ["assessed", "basis_created", "basis_sent_back", "basis_created"]


async def test_basis_form_refuses_bad_input(bot):
    need_id, data = await _basis_form(bot)
    replies = await bot.click({**data, **BASIS, "likelihood": "9", "risk": "", "hours": "-1"})
    text = replies[-1].all_text()
    assert "Välj 1 till 5." in text and "Obligatoriskt." in text and "Timmar kan inte vara negativa." in text
    assert await bot.query(lambda s: basis_repo.bases_of(s, need_id)) == []


async def test_reassessment_supersedes_an_open_basis(bot):
    need_id, data = await _basis_form(bot)
    await bot.click({**data, **BASIS})
    await bot.query(lambda s: set_frame(s, "utbildning", hours=1000, sek=1_000_000))
    await _assess(bot, need_id, {**WITHIN, "hours": "300", "cost": "400000"})
    bases = await bot.query(lambda s: basis_repo.bases_of(s, need_id))
    assert [b.status for b in bases] == [BasisStatus.superseded]
    rows = await bot.query(lambda s: repo.assessments_of(s, need_id))
    assert [r.outcome for r in rows] == ["decision_basis", "within_plan"]
