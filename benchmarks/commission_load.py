"""The manager-approval invoke for the decision benchmark (benchmarks/bench_decisions.py): one
commission per invoke, awaiting the approval of its responsible manager only, so every click
decides a commission (the number counter, the lead's notice and the participant's announcement
all happen), as the last of several managers' approvals does."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
GROUPS = 25  # managers, leads and participants: one of each per group


def seed(session, service_url: str, count: int) -> list[tuple[int, str, str]]:
    """`count` commissions sent for approval; (commission id, manager aad id, manager teams id)."""
    from storage import commissions as repo
    from storage import org
    from storage.models import ConversationRef, Person

    people = {}
    for g in range(GROUPS):
        for role in ("manager", "lead", "member"):
            aad = f"bench-{role}-{g}"
            session.add(Person(aad_id=aad, teams_id=f"29:{aad}", name=f"{role.title()} {g}", locale="sv"))
            org.save_conversation(session, ConversationRef(conversation_id=f"a:{aad}", kind="personal",
                                                           service_url=service_url, aad_id=aad))
            people[(role, g)] = aad
    session.flush()
    work = []
    for i in range(count):
        g = i % GROUPS
        lead, manager, member = people[("lead", g)], people[("manager", g)], people[("member", g)]
        c = repo.create_draft(session, key=f"bench-commission-{i}", creator=lead, title=f"Uppdrag {i}",
                              kind="coordination", length="short", fields={}, now=NOW)
        session.flush()
        repo.save_draft(session, c.id, actor=lead, now=NOW, step=3, fields={
            "form": "working_group", "purpose": "Gemensam rutin", "expected_result": "En rutin",
            "start": "2026-09-01", "end": "2026-12-31", "lead": lead, "responsible_manager": manager,
            "participants": [member], "cadence": "monthly"})
        repo.submit(session, c.id, actor=lead, now=NOW)
        work.append((c.id, manager, f"29:{manager}"))
    return work


def invoke(service_url: str, commission_id: int, aad_id: str, teams_id: str) -> dict:
    """The manager's Approve click (Action.Execute) on the approval card in their 1:1 chat."""
    data = {"verb": "commission.answer", "commission_id": commission_id, "version": 1, "answer": "approved",
            "comment": ""}
    return {
        "type": "invoke", "name": "adaptiveCard/action", "id": f"invoke-commission-{commission_id}",
        "channelId": "msteams", "serviceUrl": service_url, "locale": "sv-SE",
        "from": {"id": teams_id, "name": "Manager", "aadObjectId": aad_id},
        "recipient": {"id": "28:styra-bot", "name": "Styra"},
        "conversation": {"id": f"a:{aad_id}", "conversationType": "personal", "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}},
        "value": {"action": {"type": "Action.Execute", "verb": "commission.answer", "data": data}, "trigger": "manual"},
    }


DECIDED = "Uppdraget är beslutat som"
