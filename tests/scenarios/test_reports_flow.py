"""A Q2 status report from "Start" on the June reminder to the chair's review, over HTTP, in Swedish
and English: the draft is prefilled from the Q1 report, the coordinator fills it page by page, one
deviation lies outside the plan; submitting posts the report card to the steering group's channel;
the deviation becomes a decision basis with one click, which the area owner anchors and the chair
approves inline; the chair marks the report reviewed and every posted copy shows it."""

import re

import pytest
from sqlmodel import select

from bot.i18n import translator
from storage import reports as repo
from storage.models import Decision, Need, NeedStatus
from storage.report_tables import StatusReport
from tests.scenarios.reports_kit import (
    UTB_CHANNEL,
    channel_posts,
    june_reminder,
    personal_cards,
    q1_report,
    setup,
)
from tests.scenarios.wheel_kit import local
from tests.support.botkit import ADELE, ALEX, ISAIAH, User
from tests.support.cards import inputs, text, verbs
from tests.support.transcript import Transcript

WORDS = {
    "sv": {"prefilled": "förifyllt från rapporten för 2026-Q1", "last": "Förra rapporten: 🟡 Gul",
           "submitted": "Inlämnad. Rapporten är publicerad i styrgruppens kanal.",
           "basis_sent": "Avvikelsen är nu registrerad som behov B-2026-0001",
           "reviewed": "Markerad som genomgången.", "outside": "Utanför planen: styrgruppen beslutar"},
    "en": {"prefilled": "prefilled from the report for 2026-Q1", "last": "Last report: 🟡 Yellow",
           "submitted": "Submitted. The report is posted in the steering group's channel.",
           "basis_sent": "Need B-2026-0001 now carries the deviation",
           "reviewed": "Marked as reviewed.", "outside": "Outside the plan: the steering group decides"},
}


def speaking(user: User, lang: str) -> User:
    return User(user.aad_id, user.name, user.teams_id, "sv-SE" if lang == "sv" else "en-US")


def goal_ids(card: dict) -> list[int]:
    return [int(m.group(1)) for key in inputs(card) if (m := re.match(r"g(\d+)_colour$", key))]


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_q2_report_from_the_reminder_to_the_chairs_review(bot, lang):
    t, words = translator(lang), WORDS[lang]
    alex, isaiah, adele = speaking(ALEX, lang), speaking(ISAIAH, lang), speaking(ADELE, lang)
    await setup(bot)
    await bot.query(q1_report, local(2026, 3, 10))
    row = await june_reminder(bot)

    # "Start" on the reminder in the channel: the draft arrives in Alex's 1:1 chat, prefilled from Q1.
    status, _body = await bot.invoke({"verb": "reminder.start", "occurrence_id": row.id}, user=alex)
    assert status == 200
    await bot.services.outbox.drain()  # the draft goes out after the answer
    form = personal_cards(bot, ALEX)[0]
    shown = text(form)
    assert t("Status report {area} {period}", area=t("Utbildning") if lang == "sv" else "Education",
             period="2026-Q2") in shown
    assert words["prefilled"] in shown and words["last"] in shown
    first, second, third = goal_ids(form)
    assert inputs(form)[f"g{first}_colour"]["value"] == "green"  # carried from Q1

    convo = Transcript(bot, alex, kind="personal")
    await convo.click(form, t("Next ›"), {f"g{first}_colour": "green", f"g{first}_comment": "Upphandlingen är klar",
                                          f"g{second}_colour": "red", f"g{second}_comment": "Licensen blev dyrare",
                                          f"g{third}_colour": "yellow"})
    general = convo.answer
    assert "outcome_sek" in inputs(general) and "x_needs_next_year" in inputs(general)
    await convo.click(general, t("Next ›"), {"outcome_sek": "1250000", "outcome_hours": "1900",
                                             "x_security_review": "Inga allvarliga brister.",
                                             "d_cost_colour": "red", "d_cost_comment": "Licenskostnaden"})
    deviations = convo.answer
    await convo.click(deviations, t("Next ›"), {
        "v0_kind": "cost", "v0_title": "Licensen blev dyrare", "v0_cause": "Leverantören bytte prismodell",
        "v0_consequences": "Ramen räcker inte för hösten", "v0_options": "Byta leverantör eller utöka ramen",
        "v0_proposal": "Utöka ramen med 3 000 000 kr", "v0_sek": "3000000"})
    risks = convo.answer
    await convo.click(risks, t("Submit"))
    submitted = convo.answer
    assert words["submitted"] in text(submitted)
    assert "report.reopen" in verbs(submitted)

    report = await bot.query(lambda s: s.exec(select(StatusReport).where(StatusReport.period == "2026-Q2")).one())
    assert (report.status, report.version, report.outcome_sek, report.submitted_by) == (
        "submitted", 1, 1_250_000, ALEX.aad_id)
    assert '"Licensen blev dyrare"' in report.snapshot  # the frozen copy the steering group got

    # The channel gets the read-only card (Swedish, the organisation's language) with a refresh for the chair.
    await bot.services.outbox.drain()
    post = channel_posts(bot, UTB_CHANNEL)[-1]
    card = post.card
    assert "🔴 Röd · Digital examination i större skala · ↓ sämre" in text(card)
    assert card["refresh"]["userIds"] == [ISAIAH.teams_id] and card["refresh"]["action"]["verb"] == "report.view"
    assert "report.review" not in verbs(card) and "report.deviation_basis" in verbs(card)
    assert "Utanför planen: styrgruppen beslutar" in text(card)

    # The chair's refresh: a comment box and "mark as reviewed"; a member gets the read-only view.
    status, body = await bot.invoke({"verb": "report.view", "report_id": report.id}, user=isaiah)
    chair_view = body["value"]
    assert "report.review" in verbs(chair_view) and "comment" in inputs(chair_view)

    # One click on the deviation: a need carrying it, and the basis form, prefilled, in Alex's chat.
    channel = Transcript(bot, alex, kind="channel")
    await channel.click(card, "report.deviation_basis")
    assert words["basis_sent"] in text(channel.answer)
    await bot.services.outbox.drain()
    basis_form = next(c for c in personal_cards(bot, ALEX) if "basis.submit" in verbs(c))
    values = inputs(basis_form)
    assert values["cost"]["value"] == 3_000_000 and values["frame_sek"]["value"] == 500_000  # 2.5 M left in the frame
    assert values["proposal"]["value"] == "Utöka ramen med 3 000 000 kr"
    need = await bot.query(lambda s: s.exec(select(Need).where(Need.source == "deviation")).one())
    assert (need.number, need.status) == ("B-2026-0001", NeedStatus.awaiting_decision)

    # The existing flow: the form to the area owners, Adele anchors it, it goes to the chair, who approves.
    await convo.click(basis_form, "basis.submit", {"likelihood": "3", "impact": "4"})
    await bot.click({"verb": "anchor.agree", "basis_id": 1}, user=adele)
    await bot.services.outbox.drain()
    basis_post = [p for p in channel_posts(bot, UTB_CHANNEL) if "decision.view" in verbs(p.card, refresh=True)]
    assert basis_post, "the ready basis is posted to the steering group"
    status, body = await bot.invoke({"verb": "decision.approve", "basis_id": 1, "level": "steering",
                                     "comment": "Ramen utökas", "registry_number": "UFV 2026/77"}, user=isaiah)
    assert status == 200
    decided = await bot.query(lambda s: s.exec(select(Decision)).one())
    assert decided.outcome.value == "approved" and decided.registry_number == "UFV 2026/77"

    # The chair reviews the report inline; every posted copy is updated in place.
    reviewer = Transcript(bot, isaiah, kind="channel")
    await reviewer.click(chair_view, "report.review", {"comment": "Bra rapport. Följ upp licensen."})
    assert words["reviewed"] in text(reviewer.answer)
    assert "report.review" not in verbs(reviewer.answer)
    await bot.services.outbox.drain()
    update = channel_posts(bot, UTB_CHANNEL, "PUT")[-1]
    assert update.activity_id == post.activity_id
    assert "Genomgången av Isaiah Langer" in text(update.card) and "Bra rapport. Följ upp licensen." in text(update.card)
    assert "B-2026-0001, beslutat: Godkänt" in text(update.card)
    stored = await bot.query(repo.get, report.id)
    assert (stored.status, stored.reviewed_by, stored.review_comment) == (
        "reviewed", ISAIAH.aad_id, "Bra rapport. Följ upp licensen.")
