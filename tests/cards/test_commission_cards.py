"""Commission cards: JSON snapshots (STYRA_UPDATE_SNAPSHOTS=1 rewrites them), schema 1.5, under the
size limit with every field full, user text never live markdown, forms keep what was typed."""

from __future__ import annotations

import json

import pytest

from bot.i18n import translator
from bot.rules.commissions import Form, Kind, Length
from cards import commission_forms as cf
from cards import commission_lists as cl
from cards import commissions as cc
from cards.common import MAX_CARD_BYTES
from cards.verbs import Verb
from tests.support.snapshots import assert_snapshot
from tests.support.verbs import REGISTRY

EVIL = "**Viktigt** [klicka här](https://evil.example)"
PEOPLE = (cf.Person("aad-lea", "Lea Lindqvist"), cf.Person("aad-maja", "Maja Berg"), cf.Person("aad-per", "Per Ek"))
DOC = cc.DocumentView(
    title=EVIL, kind="coordination", form="project", length="long", version=2, number="U-2026-0007",
    registry_number="MIUN 2026/123", unit="IT-avdelningen", background="Varje enhet hanterar lånedatorer på sitt sätt.",
    purpose="En gemensam rutin för lånedatorer.", goals="- Rutin\n- Ansvar", expected_result="Beslutad rutin",
    start="2026-09-01", end="2027-06-30", lead="Lea Lindqvist", responsible_manager="Maja Berg",
    participants=("Per Ek", "Pia Ström"), managers=("Maja Berg", "Mats Holm"), project_group=("Per Ek",),
    steering_group=("Maja Berg",), reference_groups="Studentkåren", budget_sek=150_000, budget_hours=400,
    cadence="quarterly", reporting="Till ledningsgruppen inför delårsrapporten", origin="B-2026-0042")
APPROVALS = (cc.ApprovalRow("Maja Berg", "approved"), cc.ApprovalRow("Mats Holm", None),
             cc.ApprovalRow("Sara Nyström", "declined", "Budgeten *räcker* inte"))
FORM_VALUES = {"title": EVIL, "need": "Alla enheter gör olika", "kind": "coordination", "length": "long",
               "stakeholders": "many", "predictability": "uncertain", "investment": "large", "form": "project",
               "purpose": "x", "start": "2026-09-01", "end": "2026-08-01", "lead": "aad-lea",
               "managers": "aad-maja,aad-per", "budget_sek": "-5", "cadence": "monthly"}


def _form(**kw):
    base = dict(form_id="f0rm1d0000000001", commission_id=7, values=dict(FORM_VALUES), people=PEOPLE,
                kind="coordination", length="long", form="project")
    return cf.FormView(**{**base, **kw})


SECTIONS = (("result_goal", EVIL), ("budget_outcome", "120 000 kr av 150 000 kr"), ("handover", ""),
            ("experiences", "Börja med en pilot"))
REASONS = ("Many stakeholders, also outside the organisation: high complexity.",
           "A project suits high complexity: a project manager, a project group and a steering group.")

CARDS = {
    "purpose_empty": lambda t: cf.purpose_card(t, cf.FormView(form_id="f0rm1d0000000001")),
    "purpose_errors": lambda t: cf.purpose_card(t, _form(commission_id=None, errors={"title": "Give the commission a short name.", "kind": "Choose the kind of commission."}, origin="B-2026-0042")),
    "organisation_questions": lambda t: cf.organisation_card(t, _form(values={"title": "Lånedatorer"})),
    "organisation_recommended": lambda t: cf.organisation_card(t, _form(recommended="project", reasons=REASONS)),
    "organisation_refused": lambda t: cf.organisation_card(t, _form(kind="investigation", recommended="working_group", reasons=REASONS,
                                                                    errors={"form": "An investigation is organised as a single employee or a working group."})),
    "document_project_errors": lambda t: cf.document_card(t, _form(
        required=("title", "purpose", "start", "end", "lead", "responsible_manager", "cadence", "project_group", "steering_group"),
        errors={"end": "The end date is before the start date.", "budget_sek": "The number cannot be negative.",
                "responsible_manager": "Someone chosen here is not in the roster Styra knows. Pick people from the list.",
                "goals": "Too long: at most {limit} characters. I kept the first {limit}."}, limits={"goals": 1000},
        warnings=("The lead is the only manager approving this commission.",))),
    "document_short_single": lambda t: cf.document_card(t, _form(kind="investigation", length="short", form="single_employee", values={})),
    "approval_personal": lambda t: cc.approval_card(t, cc.ApprovalView(7, 2, 2, "awaiting_approval", DOC, APPROVALS, ("29:maja", "29:mats"), can_answer=True)),
    "approval_sent": lambda t: cc.approval_card(t, cc.ApprovalView(7, 2, 2, "awaiting_approval", DOC, APPROVALS, ("29:maja",), self_approval="Lea Lindqvist")),
    "approval_lead_copy": lambda t: cc.approval_card(t, cc.ApprovalView(7, 2, 2, "awaiting_approval", DOC, APPROVALS, ("29:maja",), asked=False)),
    "approval_outdated": lambda t: cc.approval_card(t, cc.ApprovalView(7, 1, 2, "awaiting_approval", DOC, APPROVALS, (), viewer_answer="approved")),
    "announcement": lambda t: cc.announcement_card(t, DOC, 7),
    "notice_returned": lambda t: cc.notice_card(t, t("Returned: {title}", title=cc.escape(DOC.title)), t("Mats Holm declined version {version}. Change the document and send it again.", version=2), 7, comment="Budgeten *räcker* inte", actions=((t("Edit"), Verb.COMMISSION_STEP),)),
    "list": lambda t: cl.list_card(t, t("Commissions"), [cl.Row(7, "U-2026-0007", EVIL, "coordination", "project", "decided", None, "Lea Lindqvist", "2026-09-01 – 2027-06-30", "IT"),
                                                         cl.Row(8, "", "Nätverk för e-lärande", "network", "internal_network", "draft", None, "Per Ek", "? – ?")]),
    "detail_full": lambda t: cl.detail_card(t, cl.DetailView(7, "decided", None, DOC, True,
        [cl.VersionRow(1, "replaced", "2026-08-20"), cl.VersionRow(2, "approved", "2026-09-01")], APPROVALS,
        [("2026-08-20 10:00", "Lea", "Lea Lindqvist wrote the draft"), ("2026-09-01 09:00", "Maja", "Maja Berg approved version 2")],
        can_change=True, can_close=True, can_register=True, can_spawn=True)),
    "detail_public": lambda t: cl.detail_card(t, cl.DetailView(7, "closed", "partly", DOC, False, report_closure="partly")),
    "report_project": lambda t: cf.report_form_card(t, _form(values={"title": "Lånedatorer", "closure": "partly", "result_goal": EVIL},
                                                             errors={"actual_end": "The end date is before the start date."})),
    "report_short": lambda t: cf.report_form_card(t, _form(form="working_group", values={})),
    "acknowledge": lambda t: cc.acknowledge_card(t, 7, DOC, "completed", sections=SECTIONS),
    "acknowledged": lambda t: cc.acknowledge_card(t, 7, DOC, "completed", sections=SECTIONS, acknowledged="Maja Berg"),
    "announcement_changed": lambda t: cc.announcement_card(t, DOC, 7, changed=True),
    "drafts": lambda t: cl.drafts_card(t, [cl.Draft(8, EVIL, 2, "2026-08-20"), cl.Draft(9, "", 1, "2026-08-21")]),
    "form_saved": lambda t: cf.document_card(t, _form(kind="investigation", length="short", form="working_group",
                                                      notice=t("Draft saved. Continue now or later: write **new commission** to come back to it."))),
}


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _verbs(content):
    return {(n.get("data") or {}).get("verb") for n in _walk(content) if n.get("type") in ("Action.Submit", "Action.Execute")}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_snapshot(name, lang):
    content = CARDS[name](translator(lang))
    assert content["version"] == "1.5"
    assert _verbs(content) <= REGISTRY.known_verbs()
    assert len(json.dumps(content, ensure_ascii=False).encode()) <= MAX_CARD_BYTES
    assert_snapshot(f"commissions_{name}_{lang}.json", content)


@pytest.mark.parametrize("name", sorted(CARDS))
def test_user_text_never_reaches_a_markdown_block_unescaped(name):
    content = CARDS[name](translator("sv"))
    for node in _walk(content):
        if node.get("type") in ("TextBlock", "Fact"):
            for key in ("text", "title", "value"):
                assert "](http" not in (node.get(key) or "") and "**Viktigt**" not in (node.get(key) or ""), (name, node)


def test_forms_keep_what_was_typed_and_mark_errors():
    content = CARDS["document_project_errors"](translator("sv"))
    inputs = {n["id"]: n for n in _walk(content) if str(n.get("type", "")).startswith("Input.")}
    assert inputs["budget_sek"]["value"] == "-5" and inputs["end"]["value"] == "2026-08-01"
    assert inputs["managers"]["value"] == "aad-maja,aad-per" and inputs["lead"]["value"] == "aad-lea"
    red = [n["text"] for n in _walk(content) if n.get("type") == "TextBlock" and n.get("color") == "Attention"]
    assert "Slutdatumet ligger före startdatumet." in red and "För långt: högst 1000 tecken. Jag behöll de första 1000." in red
    assert "Projektledare *" == inputs["lead"]["label"]
    text = json.dumps(content, ensure_ascii=False)
    assert "Den huvudansvariga är den enda chef som godkänner uppdraget." in text


def test_people_pickers_ask_graph_and_offer_stored_people():
    content = CARDS["document_project_errors"](translator("en"))
    pickers = [n for n in _walk(content) if n.get("type") == "Input.ChoiceSet" and "choices.data" in n]
    assert {p["id"] for p in pickers} == {"lead", "responsible_manager", "participants", "managers", "project_group", "steering_group"}
    for p in pickers:
        assert p["choices.data"] == {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}
        assert [c["value"] for c in p["choices"]] == ["aad-lea", "aad-maja", "aad-per"]


def test_approval_card_personal_view_has_buttons_sent_view_has_refresh_for_the_managers():
    personal = CARDS["approval_personal"](translator("sv"))
    buttons = [n for n in _walk(personal) if n.get("type") == "Action.Execute" and n.get("verb") == "commission.answer"]
    assert {b["data"]["answer"] for b in buttons} == {"approved", "declined"} and all(b["data"]["version"] == 2 for b in buttons)
    assert personal["refresh"]["userIds"] == ["29:maja", "29:mats"]
    sent = json.dumps(CARDS["approval_sent"](translator("sv")), ensure_ascii=False)
    assert "Godkännanden: 1 av 3" in sent and "Lea Lindqvist leder uppdraget och är också den enda chef som godkänner det." in sent
    outdated = CARDS["approval_outdated"](translator("en"))
    assert not [n for n in _walk(outdated) if n.get("type") == "Action.Execute"]
    assert "replaced by version 2" in json.dumps(outdated)


@pytest.mark.parametrize("kind,form,length", [(k.value, f.value, n.value) for k in Kind for f in Form for n in Length])
def test_every_form_at_its_longest_fits_in_a_card(kind, form, length):
    full = {name: "å" * limit for name, limit in cf.TEXT_MAX.items()}
    people = tuple(cf.Person(f"aad-{i:02d}-{'x' * 30}", f"Person Personsson {i}") for i in range(40))
    view = cf.FormView(form_id="f" * 16, commission_id=1, values=full, people=people, kind=kind, form=form, length=length)
    cf.document_card(translator("sv"), view)  # raises CardTooLarge if not
    d = cc.DocumentView(**{**DOC.__dict__, **{n: "å" * cf.TEXT_MAX[n] for n in ("background", "purpose", "goals", "expected_result", "reporting", "reference_groups")}})
    rows = tuple(cc.ApprovalRow(f"Chef {i}", None, "ö" * 1000) for i in range(6))
    cc.approval_card(translator("sv"), cc.ApprovalView(1, 1, 1, "awaiting_approval", d, rows, ("x",) * 60, can_answer=True))
    cl.detail_card(translator("en"), cl.DetailView(1, "decided", None, d, True, approvals=rows))
