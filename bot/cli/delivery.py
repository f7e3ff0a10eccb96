"""`styra delivery status`: what waits to be sent, what is being sent, what failed or is stuck
(outbox rows per kind, and the annual wheel's reminders), and the conversations Styra could not
reach (403 removed or blocked, 404 gone, 413 too large), so an administrator can act."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.cli.lang import cli_translator
from bot.i18n import Translator
from storage import org, outbox_status
from storage.db import Database


def register(sub) -> None:
    delivery = sub.add_parser("delivery", help="outbound delivery: the outbox and unreachable conversations")
    actions = delivery.add_subparsers(dest="delivery_command", required=True)
    status = actions.add_parser("status", help="outbox rows per kind and state; unreachable conversations")
    status.set_defaults(run=_status)


def _snapshot(session, now: datetime):
    return (outbox_status.outbox_by_kind(session, now), outbox_status.reminders_by_status(session, now),
            org.failed_conversations(session))


def _status(args, settings) -> int:
    db = Database.from_url(settings.database_url)
    now = datetime.now(UTC)
    try:
        kinds, reminders, unreachable = db.call(_snapshot, now)
    finally:
        db.dispose()
    t = cli_translator(args, settings)
    trouble = _print_outbox(t, kinds, now) + _print_reminders(t, reminders) + _print_unreachable(t, unreachable)
    return 1 if trouble else 0


def _print_outbox(t: Translator, kinds, now: datetime) -> int:
    print(t("Outbox"))
    if not kinds:
        print("  " + t("empty") + "\n")
        return 0
    states = outbox_status.STATES
    print(f"  {t('kind'):14}" + "".join(f"{s:>11}" for s in states) + "   " + t("oldest waiting"))
    trouble = 0
    for entry in kinds:
        waited = "-"
        if entry.oldest_due is not None:
            waited = f"{max(0, int((now - entry.oldest_due).total_seconds()))} s"
        print(f"  {entry.kind[:14]:14}" + "".join(f"{entry.counts[s]:>11}" for s in states) + f"   {waited}")
        trouble += entry.counts["stuck"] + entry.counts["failed"]
    print("  " + t("in_flight: being sent now; stuck: due over 5 minutes and nobody sending it; failed: given up;") + "\n"
          "  " + t("superseded: replaced by a newer card before it was sent"))
    print()
    return trouble


def _print_reminders(t: Translator, counts: dict[str, int]) -> int:
    print(t("Annual wheel reminders"))
    shown = {k: v for k, v in counts.items() if v}
    print("  " + (", ".join(f"{k} {v}" for k, v in sorted(shown.items())) or t("none")) + "\n")
    return counts.get("stuck", 0) + counts.get("failed", 0)


def _print_unreachable(t: Translator, rows) -> int:
    if not rows:
        print(t("Every known conversation is reachable."))
        return 0
    print(f"{t('failed at (UTC)'):20} {t('kind'):9} {t('linked to'):18} {t('reason'):28} {t('conversation')}")
    for ref, links in rows:
        when = ref.failed_at.strftime("%Y-%m-%d %H:%M")
        print(f"{when:20} {ref.kind:9} {','.join(links) or '-':18} {(ref.failure or '')[:28]:28} "
              f"{ref.name or ''} {ref.conversation_id}")
    print("\n" + t.n("{n} unreachable: reinstall Styra in that team or chat; the mark clears on its next message.",
                     "{n} unreachable: reinstall Styra in those teams or chats; the mark clears on the next message.",
                     len(rows)))
    return len(rows)
