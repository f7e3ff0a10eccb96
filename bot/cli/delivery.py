"""`styra delivery status`: the conversations Styra could not reach (403 removed or blocked,
404 gone, 413 too large), so an administrator can reinstall the app or relink the channel."""

from __future__ import annotations

from storage import org
from storage.db import Database


def register(sub) -> None:
    delivery = sub.add_parser("delivery", help="outbound delivery problems")
    actions = delivery.add_subparsers(dest="delivery_command", required=True)
    status = actions.add_parser("status", help="conversations with a permanent delivery failure")
    status.set_defaults(run=_status)


def _status(args, settings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        rows = db.call(org.failed_conversations)
    finally:
        db.dispose()
    if not rows:
        print("every known conversation is reachable")
        return 0
    print(f"{'failed at (UTC)':20} {'kind':9} {'linked to':18} {'reason':28} conversation")
    for ref, links in rows:
        when = ref.failed_at.strftime("%Y-%m-%d %H:%M")
        print(f"{when:20} {ref.kind:9} {','.join(links) or '-':18} {(ref.failure or '')[:28]:28} "
              f"{ref.name or ''} {ref.conversation_id}")
    print(f"\n{len(rows)} unreachable: reinstall Styra in that team or chat; the mark clears on its next message")
    return 1
