"""A small demo organisation, loaded on first start when the database is empty (STYRA_DEMO=0: off).

The people are the Microsoft 365 Agents Playground's built-in users, so every flow can be tried
locally: Alex Wilber (the Playground's default user) coordinates and chairs "Utbildning".
The plans are written for the demo in the shape of a real action plan (support areas with
development areas: why, desired effect, units, dependencies, planned start and end).
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from storage import org
from storage.models import EArea, Person, Plan, PlanGoal, PlanStatus, Role

log = logging.getLogger("styra.demo")

PEOPLE = (
    ("00000000-0000-0000-0000-0000000000020", "user-id-0", "Alex Wilber"),
    ("00000000-0000-0000-0000-0000000000021", "user-id-1", "Megan Bowen"),
    ("00000000-0000-0000-0000-0000000000022", "user-id-2", "Adele Vance"),
    ("00000000-0000-0000-0000-0000000000023", "user-id-3", "Isaiah Langer"),
    ("00000000-0000-0000-0000-0000000000024", "user-id-4", "Patti Fernandez"),
)

AREAS = (
    ("utbildning", "Utbildning", "Education"),
    ("forskning", "Forskning", "Research"),
    ("ekonomi", "Ekonomi och personal", "Finance and HR"),
)

ROLES = (
    ("utbildning", 0, Role.coordinator),
    ("utbildning", 0, Role.chair),
    ("utbildning", 2, Role.area_owner),
    ("utbildning", 3, Role.member),
    ("forskning", 0, Role.coordinator),
    ("forskning", 1, Role.chair),
    ("forskning", 2, Role.area_owner),
    ("ekonomi", 1, Role.coordinator),
    ("ekonomi", 3, Role.chair),
    ("ekonomi", 2, Role.area_owner),
    (None, 4, Role.portfolio_chair),
    (None, 0, Role.portfolio_office),
)

# (support area, title, why, effect, units, dependencies, start, end)
GOALS = {
    "utbildning": (
        ("Studieadministration", "Samlad digital kursanmälan",
         "Studenter möter i dag tre olika system för att anmäla sig till kurser och prov.",
         "En väg in för anmälan och färre ärenden till studentexpeditionerna.",
         "Studentavdelningen, IT-avdelningen, fakulteternas kansli", "Länk till IT-portföljen", "2026-01", "2026-12"),
        ("Studieadministration", "Digital examination i större skala",
         "Salstentor på papper tar mycket tid att rätta och arkivera.",
         "Fler tentor skrivs digitalt och resultaten når studenterna snabbare.",
         "Institutionerna, IT-avdelningen", "Beroende av ny tentamenslokal", "2026-03", "2027-06"),
        ("Lärplattform", "Enhetliga kursrum",
         "Kursrummen ser olika ut mellan institutioner och studenter hittar inte material.",
         "Gemensam mall för kursrum som alla institutioner använder.",
         "Pedagogiskt stöd, institutionerna", "", "2026-02", "2026-11"),
    ),
    "forskning": (
        ("Forskningsdata", "Lagring av forskningsdata",
         "Forskare lagrar data på egna diskar utan säkerhetskopiering.",
         "Säker och beständig lagring som uppfyller krav från finansiärer.",
         "Biblioteket, IT-avdelningen, forskningsstöd", "Länk till IT-portföljen", "2026-01", "2027-12"),
        ("Ansökningsstöd", "Stöd för externa ansökningar",
         "Uppgifter om pågående ansökningar finns spridda i e-post.",
         "Överblick över ansökningar och bättre stöd till forskarna.",
         "Forskningsstöd, ekonomiavdelningen", "", "2026-04", "2026-12"),
    ),
    "ekonomi": (
        ("Ekonomiadministration", "Elektroniska fakturaflöden",
         "Pappersfakturor hanteras fortfarande manuellt på flera enheter.",
         "Alla leverantörsfakturor hanteras digitalt från ankomst till arkiv.",
         "Ekonomiavdelningen, enheternas administratörer", "Avtal med e-fakturaleverantör", "2026-01", "2026-09"),
        ("Personaladministration", "Digital anställningsprocess",
         "Anställningsavtal skickas runt för underskrift på papper.",
         "Kortare tid från beslut till påskrivet avtal.",
         "HR-avdelningen, IT-avdelningen", "Länk till IT-portföljen", "2026-05", "2027-03"),
    ),
}

FRAMES = {"utbildning": (2_500_000, 4_000), "forskning": (1_800_000, 3_000), "ekonomi": (1_200_000, 2_000)}


def load_demo_if_empty(session: Session, settings) -> bool:
    if org.count_e_areas(session) > 0:
        return False
    load_demo(session, settings.demo_user)
    log.info("loaded the demo organisation (STYRA_DEMO=0 turns this off)")
    return True


def load_demo(session: Session, demo_user: str = PEOPLE[0][0]) -> None:
    people = list(PEOPLE)
    if demo_user != PEOPLE[0][0]:
        people[0] = (demo_user, None, "Demo User")
    for aad_id, teams_id, name in people:
        if session.get(Person, aad_id) is None:
            session.add(Person(aad_id=aad_id, teams_id=teams_id, name=name))
    areas = {}
    for slug, name, name_en in AREAS:
        area = EArea(slug=slug, name=name, name_en=name_en)
        session.add(area)
        areas[slug] = area
    session.flush()
    for slug, who, role in ROLES:
        org.grant(session, areas.get(slug) if slug else None, people[who][0], role, by="demo")
    for slug, goals in GOALS.items():
        frame_sek, frame_hours = FRAMES[slug]
        for year, status in ((2026, PlanStatus.decided), (2027, PlanStatus.draft)):
            plan = Plan(e_area_id=areas[slug].id, year=year, status=status,
                        title=f"E-förvaltningsplan {areas[slug].name} {year}",
                        frame_sek=frame_sek, frame_hours=frame_hours)
            session.add(plan)
            session.flush()
            for position, (support, title, why, effect, units, deps, start, end) in enumerate(goals, 1):
                session.add(PlanGoal(plan_id=plan.id, position=position, support_area=support, title=title,
                                     why=why, effect=effect, units=units, dependencies=deps,
                                     start=start, end=end, priority=position))
    session.flush()
