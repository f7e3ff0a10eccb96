"""Assessing needs through the real HTTP route: every outcome, refusals, bad input, re-assessment."""

from datetime import UTC, datetime

from sqlmodel import select

from storage import assessments as repo
from storage.models import Need, NeedEvent, NeedStatus, Person
from tests.support.assessment_factory import make_need, plan_of, set_frame
from tests.support.botkit import ADELE, ALEX, ISAIAH, MEGAN, STRANGER


async def _need(bot, **kw):
    return await bot.query(lambda s: make_need(s, **kw).id)


def _form_data(card):
    """The data of the card's 'check' and (when shown) 'confirm' buttons."""
    return {a["data"]["verb"]: a["data"] for a in card.get("actions", []) if "data" in a}


async def _review(bot, need_id, answers, user=ALEX):
    await bot.services.outbox.drain()  # earlier notices are out, so the replies are this form's
    opened = await bot.click({"verb": "assess.open", "need_id": need_id}, user=user)
    buttons = _form_data(opened[-1].card)
    reviewed = await bot.click({**buttons["assess.review"], **answers}, user=user)
    return reviewed[-1], _form_data(reviewed[-1].card)


async def _assess(bot, need_id, answers, user=ALEX):
    reviewed, buttons = await _review(bot, need_id, answers, user)
    assert "assess.confirm" in buttons, reviewed.all_text()
    return await bot.click({**buttons["assess.confirm"], **answers}, user=user)


WITHIN = {"serves": "yes", "goals": "", "hours": "120", "cost": "80000", "urgent": "false", "areas": "",
          "portfolio": "false", "if_not": "inventory", "reason": ""}


async def test_within_plan_commits_the_frame_and_tells_the_raiser(bot):
    need_id = await _need(bot)
    reviewed, _ = await _review(bot, need_id, WITHIN)
    text = reviewed.all_text()
    assert "Hanteras inom planen" in text and "Inget sparas förrän du bekräftar." in text
    assert "3\u00a0880 timmar" in text  # left after: 4 000 - 120
    # nothing stored by checking
    assert await bot.query(lambda s: repo.assessments_of(s, need_id)) == []

    replies = await _assess(bot, need_id, WITHIN)
    assert any("Bedömningen är sparad" in r.all_text() for r in replies)
    plan = await bot.query(lambda s: plan_of(s))
    assert (plan.committed_hours, plan.committed_sek) == (120, 80_000)
    need = await bot.query(lambda s: s.get(Need, need_id))
    assert need.status == NeedStatus.within_plan
    # Isaiah raised it; he is told in Swedish in his own chat
    await bot.services.outbox.drain()
    notices = [r for r in bot.connector.sent if "Ditt behov har bedömts" in r.all_text()]
    assert notices and "inom e-områdets plan" in notices[-1].all_text()
    events = await bot.query(lambda s: list(s.exec(select(NeedEvent).where(NeedEvent.need_id == need_id))))
    assert [e.kind for e in events] == ["assessed"]


async def test_not_contributing_goes_to_inventory(bot):
    need_id = await _need(bot)
    await _assess(bot, need_id, {**WITHIN, "serves": "no", "hours": "", "cost": ""})
    need = await bot.query(lambda s: s.get(Need, need_id))
    assert need.status == NeedStatus.inventory
    assert (await bot.query(lambda s: plan_of(s))).committed_hours == 0


async def test_declined_needs_a_reason_and_the_raiser_reads_it_in_english(bot):
    need_id = await _need(bot)
    await bot.query(lambda s: setattr(s.get(Person, ISAIAH.aad_id), "locale", "en"))
    declined = {**WITHIN, "serves": "no", "if_not": "declined", "reason": ""}
    reviewed, buttons = await _review(bot, need_id, declined)
    assert "assess.confirm" not in buttons
    assert "Skriv varför behovet avslås" in reviewed.all_text()
    await _assess(bot, need_id, {**declined, "reason": "Finns redan i Canvas"})
    need = await bot.query(lambda s: s.get(Need, need_id))
    assert need.status == NeedStatus.declined
    await bot.services.outbox.drain()
    notice = [r for r in bot.connector.sent if "Your need has been assessed" in r.all_text()][-1].all_text()
    assert "Your need has been declined." in notice and "Finns redan i Canvas" in notice


async def test_no_room_not_urgent_goes_to_inventory(bot):
    need_id = await _need(bot)
    await bot.query(lambda s: set_frame(s, "utbildning", hours=100, sek=100_000, committed_hours=90))
    await _assess(bot, need_id, WITHIN)
    need = await bot.query(lambda s: s.get(Need, need_id))
    assert need.status == NeedStatus.inventory
    assert (await bot.query(lambda s: plan_of(s))).committed_hours == 90


async def test_urgent_without_room_starts_a_decision_basis(bot):
    need_id = await _need(bot)
    await bot.query(lambda s: set_frame(s, "utbildning", hours=100, sek=100_000))
    replies = await _assess(bot, need_id, {**WITHIN, "urgent": "true", "areas": "forskning"})
    texts = [r.all_text() for r in replies]
    assert any("Beslutsunderlag för styrgruppen" in t for t in texts)
    need = await bot.query(lambda s: s.get(Need, need_id))
    assert need.status == NeedStatus.awaiting_decision
    row = (await bot.query(lambda s: repo.assessments_of(s, need_id)))[0]
    assert row.escalate and row.outcome == "decision_basis"


async def test_someone_without_the_role_is_told_who_can(bot):
    need_id = await _need(bot)
    for user in (MEGAN, ADELE, ISAIAH):
        replies = await bot.click({"verb": "assess.open", "need_id": need_id}, user=user)
        assert "Bara koordinatorerna för Utbildning kan bedöma" in replies[-1].all_text()
        assert "Alex Wilber" in replies[-1].all_text()
    replies = await bot.click({"verb": "assess.open", "need_id": need_id}, user=STRANGER)
    assert "Only the coordinators of Education can assess this need" in replies[-1].all_text()
    # the confirm verb checks too, whatever the card says
    replies = await bot.click({"verb": "assess.confirm", "need_id": need_id, "form": "x", "check": "y", **WITHIN}, user=MEGAN)
    assert "Bara koordinatorerna" in replies[-1].all_text()
    assert await bot.query(lambda s: repo.assessments_of(s, need_id)) == []


async def test_bad_numbers_are_refused_and_nothing_is_stored(bot):
    need_id = await _need(bot)
    reviewed, buttons = await _review(bot, need_id, {**WITHIN, "hours": "-3", "cost": "900000000"})
    text = reviewed.all_text()
    assert "Timmar kan inte vara negativa." in text and "mer än 100 gånger hela ramen" in text
    assert "assess.confirm" not in buttons
    reviewed, buttons = await _review(bot, need_id, {**WITHIN, "hours": "", "cost": ""})
    assert "Uppskatta timmarna" in reviewed.all_text()
    assert await bot.query(lambda s: repo.assessments_of(s, need_id)) == []


async def test_submitted_twice_commits_once(bot):
    need_id = await _need(bot)
    reviewed, buttons = await _review(bot, need_id, WITHIN)
    confirm = {**buttons["assess.confirm"], **WITHIN}
    await bot.click(confirm)
    await bot.services.outbox.drain()
    again = await bot.click(confirm)
    assert "Redan sparad" in again[-1].all_text()
    plan = await bot.query(lambda s: plan_of(s))
    assert plan.committed_hours == 120
    assert len(await bot.query(lambda s: repo.assessments_of(s, need_id))) == 1


async def test_answers_changed_after_checking_are_checked_again(bot):
    need_id = await _need(bot)
    _, buttons = await _review(bot, need_id, WITHIN)
    replies = await bot.click({**buttons["assess.confirm"], **WITHIN, "hours": "200"})
    assert "Något har ändrats sedan du kontrollerade" in replies[-1].all_text()
    assert await bot.query(lambda s: repo.assessments_of(s, need_id)) == []


async def test_reassessment_releases_and_recommits_and_keeps_history(bot):
    need_id = await _need(bot)
    await _assess(bot, need_id, WITHIN)
    old_card_buttons = (await _review(bot, need_id, WITHIN))[1]  # opened before the re-assessment
    await _assess(bot, need_id, {**WITHIN, "hours": "50", "cost": "10000"})
    plan = await bot.query(lambda s: plan_of(s))
    assert (plan.committed_hours, plan.committed_sek) == (50, 10_000)
    await _assess(bot, need_id, {**WITHIN, "serves": "no"})
    plan = await bot.query(lambda s: plan_of(s))
    assert (plan.committed_hours, plan.committed_sek) == (0, 0)
    rows = await bot.query(lambda s: repo.assessments_of(s, need_id))
    assert [r.outcome for r in rows] == ["within_plan", "within_plan", "inventory"]
    # a card from before the later assessments stores nothing
    await bot.services.outbox.drain()
    replies = await bot.click({**old_card_buttons["assess.confirm"], **WITHIN})
    assert "Formuläret är inaktuellt" in replies[-1].all_text()
    assert len(await bot.query(lambda s: repo.assessments_of(s, need_id))) == 3
    assert (await bot.query(lambda s: plan_of(s))).committed_hours == 0


async def test_a_decided_need_is_not_assessed(bot):
    need_id = await _need(bot, status=NeedStatus.approved)
    replies = await bot.click({"verb": "assess.open", "need_id": need_id})
    assert "redan avgjort" in replies[-1].all_text()


async def test_no_decided_plan_says_what_to_do(bot):
    need_id = await _need(bot)
    bot.services.clock = lambda: datetime(2027, 3, 1, tzinfo=UTC)
    replies = await bot.click({"verb": "assess.open", "need_id": need_id})
    assert "Planen för Utbildning för 2027 är inte beslutad" in replies[-1].all_text()
    bot.services.clock = lambda: datetime(2028, 3, 1, tzinfo=UTC)
    replies = await bot.click({"verb": "assess.open", "need_id": need_id})
    assert "Utbildning har ingen plan för 2028" in replies[-1].all_text()


async def test_text_command_opens_the_form_with_similar_goals(bot):
    need_id = await _need(bot, title="Digital examination på distans", description="Fler tentor ska skrivas digitalt.")
    number = await bot.query(lambda s: s.get(Need, need_id).number)
    replies = await bot.say(f"bedöm {number.lower()}")
    text = replies[-1].all_text()
    assert "Bedöm behov" in text and "Planens mål som mest liknar behovet" in text
    assert "Digital examination i större skala" in text
    replies = await bot.say("assess B-2026-9999")
    assert "Jag hittar inte behov B-2026-9999" in replies[-1].all_text()


async def test_action_execute_returns_the_form_in_place(bot):
    need_id = await _need(bot)
    status, body = await bot.invoke({"verb": "assess.open", "need_id": need_id})
    assert status == 200 and body["statusCode"] == 200
    card = body["value"]
    assert card["version"] == "1.5"
    verbs = [a["verb"] for a in card["actions"]]
    assert verbs == ["assess.review"] and card["actions"][0]["type"] == "Action.Execute"
    form = card["actions"][0]["data"]
    status, body = await bot.invoke({**form, **WITHIN})
    confirm = next(a["data"] for a in body["value"]["actions"] if a["verb"] == "assess.confirm")
    status, body = await bot.invoke({**confirm, **WITHIN})
    assert status == 200 and "Bedömningen är sparad" in str(body)
    assert (await bot.query(lambda s: plan_of(s))).committed_hours == 120
