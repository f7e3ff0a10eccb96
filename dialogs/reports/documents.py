"""The status-report documents behind a link (GET /files/<token>, app.py): the report version, the
meeting's agenda or its minutes as .docx, built from what is stored when the link is opened.
A submitted version is frozen, so its document is the same every time; the token, long, random
and expiring, is what grants access, and it is only handed to those who may read the report."""

from __future__ import annotations

from bot.documents.report_docx import agenda_docx, minutes_docx, report_docx
from bot.i18n import translator
from bot.rules.reports import parse_period
from dialogs.reports.common import meeting_date, today
from dialogs.reports.meeting import meeting_view, pack_of, wheel_items
from dialogs.reports.views import report_view
from storage import report_data as reads
from storage.models import EArea

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# File names: plain ASCII words per language, so every browser saves them alike.
NAMES = {"sv": {"report": "statusrapport", "agenda": "dagordning", "minutes": "protokoll"},
         "en": {"report": "status-report", "agenda": "agenda", "minutes": "minutes"}}


def _load(session, settings, token: str, now, dates_of):
    found = reads.file_by_token(session, token, now)
    if found is None:
        return None
    area = session.get(EArea, found.e_area_id)
    if found.kind == "report":
        data = reads.report_data(session, found.report_id, timezone=settings.timezone, now=now)
        return (found.kind, found.lang, area, data) if data else None
    period = parse_period(found.period)
    meeting, previous, day = dates_of(period)
    return found.kind, found.lang, area, pack_of(session, settings, area, period, meeting, previous, day, now,
                                                 found.lang, "")


async def document(services, token: str) -> tuple[str, str, bytes] | None:
    """(file name, content type, bytes) of the document behind this token; None when unknown or expired."""
    if not token or len(token) > 64:
        return None
    settings = services.settings

    def dates_of(period):
        return meeting_date(services, period), meeting_date(services, period.previous()), today(services)

    found = await services.db.run(_load, settings, token, services.clock(), dates_of)
    if found is None:
        return None
    kind, lang, area, loaded = found
    t = translator(lang)
    word = NAMES.get(t.lang, NAMES["sv"])[kind]
    if kind == "report":
        report = loaded.report
        body = report_docx(t, report_view(t, loaded, settings.timezone, plain=True))
        return f"{word}-{area.slug}-{report.period}-v{report.version}.docx", DOCX, body
    view = meeting_view(t, loaded, wheel_items(services, loaded.period, lang))
    build = minutes_docx if kind == "minutes" else agenda_docx
    return f"{word}-{area.slug}-{loaded.meeting.isoformat()}.docx", DOCX, build(t, view)
