"""Needs and plans for the assessment tests, made directly with the models (no needs feature needed)."""

from __future__ import annotations

from sqlmodel import select

from storage import org
from storage.counters import next_number
from storage.models import Need, NeedStatus, Plan


def make_need(session, area_slug: str = "utbildning", *, title: str = "Digital tentamen för distansstudenter",
              raised_by: str = "00000000-0000-0000-0000-0000000000023", raised_by_name: str = "Isaiah Langer",
              year: int = 2026, description: str = "Distansstudenter behöver kunna skriva tentor hemifrån.",
              status: NeedStatus = NeedStatus.registered) -> Need:
    area = org.e_area_by_slug(session, area_slug)
    need = Need(number=next_number(session, "B", year), e_area_id=area.id, title=title,
                description=description, raised_by=raised_by, raised_by_name=raised_by_name,
                benefit="Färre resor för studenterna", status=status)
    session.add(need)
    session.flush()
    return need


def plan_of(session, area_slug: str = "utbildning", year: int = 2026) -> Plan:
    area = org.e_area_by_slug(session, area_slug)
    return session.exec(select(Plan).where(Plan.e_area_id == area.id, Plan.year == year)).one()


def set_frame(session, area_slug: str, *, hours: int, sek: int, committed_hours: int = 0,
              committed_sek: int = 0, year: int = 2026) -> None:
    plan = plan_of(session, area_slug, year)
    plan.frame_hours, plan.frame_sek = hours, sek
    plan.committed_hours, plan.committed_sek = committed_hours, committed_sek
