"""The guided form's checks: nothing typed is lost, every bad input named on its field."""

import pytest

from bot.rules import commission_document as d
from bot.rules.commissions import Form, Kind, Length

ROSTER = {"lead": "Lea", "m1": "Maja", "m2": "Mats", "p1": "Per", "p2": "Pia", "s1": "Sam"}

SHORT_OK = {"title": "Gemensam rutin för lånedatorer", "purpose": "En rutin för alla enheter",
            "expected_result": "Rutin beslutad", "start": "2026-09-01", "end": "2026-12-15",
            "lead": "lead", "responsible_manager": "m1", "cadence": "monthly"}
LONG_OK = {**SHORT_OK, "background": "Varje enhet gör olika", "goals": "En rutin", "participants": "p1,p2",
           "managers": "m2", "budget_sek": "150 000 kr", "budget_hours": "400", "reporting": "Till ledningsgruppen"}
PROJECT_OK = {**LONG_OK, "project_group": "p1,p2", "steering_group": "s1,m1"}


def test_step_one():
    ok = d.check_purpose({"title": " Lån ", "need": "Alla gör olika", "kind": "coordination", "length": "long"})
    assert ok.ok and ok.values["kind"] is Kind.coordination and ok.values["title"] == "Lån"
    bad = d.check_purpose({"title": "", "kind": "committee", "need": "x" * 50_000})
    assert bad.errors == {"title": d.E_TITLE, "kind": d.E_KIND, "length": d.E_LENGTH, "need": d.E_TOO_LONG}
    assert len(bad.kept["need"]) == d.TEXT_MAX["need"] and bad.limits["need"] == d.TEXT_MAX["need"]


def test_step_two_recommends_and_refuses_a_form_the_kind_does_not_allow():
    answers = {"stakeholders": "many", "predictability": "uncertain", "investment": "large"}
    ok = d.check_organisation(answers, Kind.coordination, Length.long)
    assert ok.values["form"] is Form.project and ok.values["recommended"] is Form.project
    chosen = d.check_organisation({**answers, "form": "working_group"}, Kind.coordination, Length.long)
    assert chosen.values["form"] is Form.working_group and chosen.values["recommended"] is Form.project
    refused = d.check_organisation({**answers, "form": "project"}, Kind.investigation, Length.short)
    assert refused.errors == {"form": "An investigation is organised as a single employee or a working group."}
    assert refused.kept["form"] == "project" and refused.kept["stakeholders"] == "many"
    missing = d.check_organisation({"stakeholders": "few"}, Kind.network, Length.short)
    assert set(missing.errors) == {"predictability", "investment"}


@pytest.mark.parametrize(("raw", "form", "length"), [
    (SHORT_OK, Form.single_employee, Length.short),
    (LONG_OK, Form.working_group, Length.long),
    (PROJECT_OK, Form.project, Length.long),
    ({**LONG_OK, "participants": ""}, Form.single_employee, Length.long),
])
def test_complete_documents_pass(raw, form, length):
    check = d.check_document(raw, form=form, length=length, roster=ROSTER)
    assert check.ok, check.errors
    assert check.values["approvers"] == (("m1", "m2") if raw.get("managers") else ("m1",))


@pytest.mark.parametrize(("change", "form", "length", "errors"), [
    ({"purpose": ""}, Form.single_employee, Length.short, {"purpose": d.E_REQUIRED}),
    ({"background": ""}, Form.working_group, Length.long, {"background": d.E_REQUIRED}),
    ({"background": ""}, Form.working_group, Length.short, {}),
    ({"steering_group": ""}, Form.project, Length.long, {"steering_group": d.E_REQUIRED}),
    ({"end": "2026-08-01"}, Form.project, Length.long, {"end": d.E_END_BEFORE_START}),
    ({"start": "1 september"}, Form.project, Length.long, {"start": d.E_DATE}),
    ({"start": "2026-02-30"}, Form.project, Length.long, {"start": d.E_DATE}),
    ({"budget_sek": "-5"}, Form.project, Length.long, {"budget_sek": d.E_NEGATIVE}),
    ({"budget_sek": "mycket"}, Form.project, Length.long, {"budget_sek": d.E_NUMBER}),
    ({"budget_hours": "12,5"}, Form.project, Length.long, {"budget_hours": d.E_NUMBER}),
    ({"managers": "m2,stranger"}, Form.project, Length.long, {"managers": d.E_NOT_IN_ROSTER}),
    ({"responsible_manager": "ghost"}, Form.project, Length.long, {"responsible_manager": d.E_NOT_IN_ROSTER}),
    ({"responsible_manager": ""}, Form.single_employee, Length.short, {"responsible_manager": d.E_REQUIRED}),
    ({"cadence": "weekly"}, Form.single_employee, Length.short, {"cadence": d.E_CADENCE}),
    ({"cadence": ""}, Form.single_employee, Length.short, {"cadence": d.E_CADENCE}),
    ({"title": ""}, Form.single_employee, Length.short, {"title": d.E_TITLE}),
    ({"goals": "x" * 50_000}, Form.project, Length.long, {"goals": d.E_TOO_LONG}),
    ({"purpose": {"a": 1}}, Form.project, Length.long, {"purpose": d.E_UNREADABLE}),
])
def test_bad_input_is_named_on_its_field_and_kept(change, form, length, errors):
    raw = {**PROJECT_OK, **change}
    check = d.check_document(raw, form=form, length=length, roster=ROSTER)
    assert check.errors == errors
    for name, value in change.items():
        if isinstance(value, str) and name not in check.limits:
            assert check.kept[name] == " ".join(value.split())  # what was typed is shown again


def test_the_lead_approving_alone_is_warned_not_refused():
    check = d.check_document({**SHORT_OK, "responsible_manager": "lead"}, form=Form.single_employee,
                             length=Length.short, roster=ROSTER)
    assert check.ok and check.warnings == (d.W_SELF_APPROVAL,)
    assert not d.check_document(SHORT_OK, form=Form.single_employee, length=Length.short, roster=ROSTER).warnings


def test_every_reason_and_error_of_the_rules_has_a_swedish_translation():
    from bot.i18n import _translations
    from bot.rules import commissions

    known = _translations("sv")._catalog
    msgids = set()
    for module in (commissions, d):
        for name, value in vars(module).items():
            if name[:2] in ("R_", "E_", "W_"):
                msgids |= set(value.values()) if isinstance(value, dict) else {value}
    assert len(msgids) > 40
    assert not sorted(m for m in msgids if m not in known)
