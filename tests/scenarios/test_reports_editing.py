"""Writing the draft over HTTP: two coordinators at once (SQLite and PostgreSQL), June's extra
sections prefilled from the needs inventory, and every kind of bad input answered clearly with
nothing typed lost and nothing half-written."""

import asyncio
import json

import pytest
from sqlmodel import select

from bot.i18n import translator
from storage import org
from storage import reports as repo
from storage.counters import next_number
from storage.models import Need, NeedStatus
from storage.outbox_tables import OutboxMessage
from storage.report_tables import StatusReport
from tests.scenarios.reports_kit import setup
from tests.support.botkit import ALEX, ISAIAH, MEGAN, STRANGER, User
from tests.support.cards import inputs, text, verbs
from tests.support.transcript import Transcript

GOALS = ("g1", "g2", "g3")  # the demo plan's three goals of Utbildning 2026


def english(user: User) -> User:
    return User(user.aad_id, user.name, user.teams_id, "en-US")


async def open_form(bot, user: User = ALEX, words: str = "statusrapport utbildning") -> tuple[Transcript, dict]:
    convo = Transcript(bot, user)
    await convo.say(words)
    return convo, convo.expect_card(verb="report.save")


def the_report(session) -> StatusReport:
    return session.exec(select(StatusReport).where(StatusReport.period == "2026-Q2")).one()


async def test_two_coordinators_editing_at_once_never_overwrite_each_other(any_bot):
    bot = any_bot
    await setup(bot)
    # Both open the period at the same moment: one draft is made, both forms show revision 1.
    (alex, alex_form), (megan, megan_form) = await asyncio.gather(open_form(bot, ALEX), open_form(bot, MEGAN))
    rows = await bot.query(lambda s: list(s.exec(select(StatusReport))))
    assert len(rows) == 1 and rows[0].revision == 1
    assert inputs(alex_form)["g1_colour"] and alex_form["actions"][0]["data"]["revision"] == 1

    await alex.click(alex_form, "Spara", {"g1_colour": "green", "g1_comment": "Alex: upphandlingen är klar"})
    assert "Sparat." in alex.text

    # Megan saves from the form she opened before Alex saved: refused, her own text kept, Alex named.
    await megan.click(megan_form, "Spara", {"g1_colour": "red", "g1_comment": "Megan: leverantören är sen"})
    stale = megan.answer
    assert "Alex Wilber ändrade rapporten medan du skrev. Inget sparades, men din text finns kvar nedan." in text(stale)
    assert inputs(stale)["g1_comment"]["value"] == "Megan: leverantören är sen"
    assert inputs(stale)["g1_colour"]["value"] == "red"
    stored = await bot.query(lambda s: repo.content_of(s, the_report(s)))
    assert stored.goals[0].comment == "Alex: upphandlingen är klar"

    # Having seen it, she saves again on purpose: now hers is stored, one revision on.
    await megan.click(stale, "Spara")
    report = await bot.query(the_report)
    stored = await bot.query(lambda s: repo.content_of(s, the_report(s)))
    assert stored.goals[0].comment == "Megan: leverantören är sen" and report.revision == 3
    assert report.updated_by_name == "Megan Bowen"

    # Two saves from the same revision at the same instant: exactly one is stored.
    fresh = megan.answer
    first = Transcript(bot, ALEX)
    second = Transcript(bot, MEGAN)
    await asyncio.gather(first.click(fresh, "Spara", {"g2_comment": "Alex samtidigt"}),
                         second.click(fresh, "Spara", {"g2_comment": "Megan samtidigt"}))
    answers = [text(first.answer), text(second.answer)]
    assert sum("Sparat." in a for a in answers) == 1
    assert sum("ändrade rapporten medan du skrev" in a for a in answers) == 1
    report = await bot.query(the_report)
    stored = await bot.query(lambda s: repo.content_of(s, the_report(s)))
    assert report.revision == 4 and stored.goals[1].comment in ("Alex samtidigt", "Megan samtidigt")


def inventory(session) -> list[str]:
    area = org.e_area_by_slug(session, "utbildning")
    numbers = []
    for title in ("Digitala tentamenssalar", "Gemensamt schemaverktyg"):
        need = Need(number=next_number(session, "B", 2026), e_area_id=area.id, title=title, description="–",
                    raised_by=MEGAN.aad_id, raised_by_name=MEGAN.name, status=NeedStatus.inventory)
        session.add(need)
        numbers.append(need.number)
    session.flush()
    return numbers


@pytest.mark.parametrize("lang", ["sv", "en"])
async def test_the_june_report_has_its_extra_sections_with_next_years_needs_from_the_inventory(bot, lang):
    t = translator(lang)
    await setup(bot)
    numbers = await bot.query(inventory)
    user = ALEX if lang == "sv" else english(ALEX)
    convo, form = await open_form(bot, user, "statusrapport utbildning" if lang == "sv" else "status report education")
    await convo.click(form, t("Next ›"), {"g1_colour": "green", "g2_colour": "green", "g3_colour": "green"})
    general = convo.answer
    shown = text(general)
    for key in ("security_review", "agreements_and_service_levels", "needs_next_year"):
        assert f"x_{key}" in inputs(general)
    assert t("The e-area's needs for next year") in shown and t("Result of the information security review") in shown
    needs = inputs(general)["x_needs_next_year"]["value"]
    assert needs == f"{numbers[0]} Digitala tentamenssalar\n{numbers[1]} Gemensamt schemaverktyg"


async def test_a_september_report_asks_for_the_commission_and_the_draft_plan_instead(bot):
    await setup(bot, when=(2026, 9, 8, 9, 0))
    convo, form = await open_form(bot)
    await convo.click(form, "Nästa ›", {"g1_colour": "green", "g2_colour": "green", "g3_colour": "green"})
    assert {"x_annual_commission", "x_time_estimates", "x_draft_plan"} <= set(inputs(convo.answer))
    assert "x_needs_next_year" not in inputs(convo.answer)


# --- bad input ---------------------------------------------------------------------------------------


async def test_a_period_that_has_not_started_and_a_person_without_a_role_are_refused(bot):
    await setup(bot)
    convo = Transcript(bot, ALEX)
    await convo.say("statusrapport utbildning 2026-Q4")
    convo.expect_text("Perioden 2026-Q4 har inte börjat än, så det finns inget att rapportera.")
    await convo.say("statusrapport utbildning kvartal fem")
    convo.expect_text("Jag känner inte till något e-område")  # not a period, so not an e-area either
    stranger = Transcript(bot, STRANGER)
    await stranger.say("status report education")
    stranger.expect_text("Only the coordinators of Education write its status report, and only the e-area's roles "
                         "read it. Ask Alex Wilber, Megan Bowen.")
    assert await bot.query(lambda s: list(s.exec(select(StatusReport)))) == []


async def test_a_colour_other_than_the_three_and_an_outcome_that_is_not_a_number_keep_what_was_typed(bot):
    await setup(bot)
    convo, form = await open_form(bot)
    await convo.click(form, "Spara", {"g1_colour": "lila", "g1_comment": "Mitt arbete"})
    answer = convo.answer
    assert "Välj grön, gul eller röd." in text(answer)
    assert inputs(answer)["g1_comment"]["value"] == "Mitt arbete"
    await convo.click(answer, "Nästa ›", {"g1_colour": "green", "g2_colour": "yellow", "g3_colour": "red"})
    general = convo.answer
    await convo.click(general, "Spara", {"outcome_sek": "mycket", "outcome_hours": "12,5",
                                         "new_conditions": "Ny lag om arkiv"})
    answer = convo.answer
    assert text(answer).count("Skriv bara heltal, till exempel 120.") == 2
    assert inputs(answer)["outcome_sek"]["value"] == "mycket"
    assert inputs(answer)["new_conditions"]["value"] == "Ny lag om arkiv"
    report = await bot.query(the_report)
    assert report.revision == 2 and report.outcome_sek is None and report.new_conditions == ""


async def test_a_fifty_thousand_character_comment_is_refused_and_the_card_still_fits(bot):
    await setup(bot)
    convo, form = await open_form(bot)
    huge = "Lång text. " * 5000
    await convo.click(form, "Spara", {"g1_colour": "green", "g1_comment": huge})
    answer = convo.answer
    assert "Högst 2000 tecken här" in text(answer)
    assert "avkortade till vad fältet rymmer" in text(answer)
    assert inputs(answer)["g1_comment"]["value"] == huge[:2000]
    assert len(json.dumps(answer, ensure_ascii=False).encode()) < 25_000
    assert (await bot.query(the_report)).revision == 1


async def test_submitting_twice_posts_once_and_says_it_was_already_submitted(bot):
    await setup(bot)
    convo, form = await open_form(bot)
    await convo.click(form, "Lämna in", {"g1_colour": "green", "g2_colour": "yellow"})
    assert "Sparat men inte inlämnat: alla mål måste ha en färg först." in convo.text
    assert "Välj en färg för målet innan du lämnar in." in text(convo.answer)
    incomplete = convo.answer
    await convo.click(incomplete, "Lämna in", {"g3_colour": "red"})
    assert "Inlämnad." in convo.text
    await convo.click(incomplete, "Lämna in", {"g3_colour": "red"})  # the same card again (a resend or a second click)
    assert "Inlämnad av Alex Wilber" in convo.text and "Inget mer sparades." in convo.text
    reports = await bot.query(lambda s: list(s.exec(select(StatusReport))))
    assert [(r.version, r.status) for r in reports] == [(1, "submitted")]
    posts = await bot.query(lambda s: list(s.exec(select(OutboxMessage).where(OutboxMessage.key.startswith("report-post")))))
    assert len(posts) == 1


async def test_a_submitted_report_is_reopened_as_a_new_version_and_the_old_one_kept(bot):
    await setup(bot)
    convo, form = await open_form(bot)
    await convo.click(form, "Lämna in", {"g1_colour": "green", "g2_colour": "yellow", "g3_colour": "red"})
    await convo.click(convo.answer, "report.reopen")
    assert "Version 2 är ett nytt utkast" in convo.text
    draft = convo.answer
    assert inputs(draft)["g3_colour"]["value"] == "red"
    reports = await bot.query(lambda s: list(s.exec(select(StatusReport).order_by(StatusReport.version))))
    assert [(r.version, r.status) for r in reports] == [(1, "submitted"), (2, "draft")]
    assert reports[0].snapshot and not reports[1].snapshot


async def test_the_chair_reviews_only_once_and_a_fifty_thousand_character_comment_is_refused(bot):
    await setup(bot)
    convo, form = await open_form(bot)
    await convo.click(form, "Lämna in", {"g1_colour": "green", "g2_colour": "yellow", "g3_colour": "red"})
    report = await bot.query(the_report)
    status, body = await bot.invoke({"verb": "report.view", "report_id": report.id}, user=ISAIAH)
    chair = body["value"]
    member = Transcript(bot, ALEX, kind="channel")  # a coordinator, not the chair
    await member.click(chair, "report.review", {"comment": "Bra"})
    assert "Bara ordföranden eller vice ordföranden i styrgruppen för Utbildning" in member.text
    reviewer = Transcript(bot, ISAIAH, kind="channel")
    await reviewer.click(chair, "report.review", {"comment": "x" * 50_000})
    answer = reviewer.answer
    assert "Kommentaren är 50000 tecken lång, men högst 1000 får plats." in text(answer)
    assert inputs(answer)["comment"]["value"] == "x" * 1000 and "report.review" in verbs(answer)
    assert len(json.dumps(answer, ensure_ascii=False).encode()) < 25_000
    assert (await bot.query(the_report)).status == "submitted"
    await reviewer.click(answer, "report.review", {"comment": "Godkänd genomgång"})
    assert "Markerad som genomgången." in reviewer.text
    await reviewer.click(chair, "report.review", {"comment": "En gång till"})
    assert "Redan markerad som genomgången av Isaiah Langer" in reviewer.text
    assert (await bot.query(the_report)).review_comment == "Godkänd genomgång"
