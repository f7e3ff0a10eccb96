"""The admins hear about messages Styra gave up on: once a day at most, one 1:1 notice each
(an outbox row keyed by the local date), listing the failures since the previous notice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.outbox import text_activity
from storage import org, outbox, outbox_status

PREFIX = "delivery-failures:"


async def report_failures(services) -> int:
    """An engine tick (every minute): today's notice, once there is something to tell."""
    settings = services.settings
    admins = sorted(settings.admin_ids)
    if not admins:
        return 0
    now = services.clock()
    zone = ZoneInfo(settings.timezone)
    added = await services.db.run(_report, now, now.astimezone(zone).date(), admins, zone,
                                  settings.default_locale)
    if added and services.outbox is not None:
        services.outbox.nudge()
    return added


def _report(session, now: datetime, today: date, admins: list[str], zone: ZoneInfo, default_lang: str) -> int:
    if outbox_status.last_created(session, f"{PREFIX}{today}:") is not None:
        return 0  # told today already
    since = outbox_status.last_created(session, PREFIX) or now - timedelta(days=1)
    failures = outbox_status.failures_since(session, since, PREFIX)
    if not failures:
        return 0
    added = 0
    for aad in admins:
        lang = org.language_of_person(org.person(session, aad)) or default_lang
        text = notice_text(translator(lang), failures, since.astimezone(zone))
        added += outbox.enqueue(session, key=f"{PREFIX}{today}:{aad}", to=outbox.Recipient.person(aad),
                                activity=text_activity(text), kind="admin", now=now)
    return added


def kind_label(t, kind: str) -> str:
    """What a kind of message is, in the admin's words (the kind itself is what `styra delivery
    status` shows, so it stays beside the label)."""
    family = kind.split(".", 1)[0]
    return {"reminder": t("Annual wheel reminders"), "notice": t("Notices"), "post": t("Channel posts"),
            "update": t("Card updates"), "reply": t("Replies")}.get(family, kind)


def notice_text(t, failures: dict[str, int], since: datetime) -> str:
    lines = [t("Messages Styra could not deliver since {since}: {count}.",
               since=since.strftime("%Y-%m-%d %H:%M"), count=sum(failures.values()))]
    lines.append("\n".join(f"- {kind_label(t, kind)} ({kind}): {count}" for kind, count in sorted(failures.items())))
    lines.append(t("Run `styra delivery status` on the server to see which ones and why."))
    if any(kind.startswith("reminder") for kind in failures):
        lines.append(t("`styra reminders status` lists the annual wheel's reminders that failed, and `styra reminders resend` sends one again once its channel works."))
    return "\n\n".join(lines)
