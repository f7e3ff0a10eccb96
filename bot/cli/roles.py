"""`styra roles list|grant|revoke`."""

from __future__ import annotations

from bot.roles import ROLE_WORDS, change_role
from storage import org
from storage.db import Database
from storage.models import Role


def register(sub) -> None:
    roles = sub.add_parser("roles", help="list, grant or revoke roles")
    actions = roles.add_subparsers(dest="roles_command", required=True)
    listing = actions.add_parser("list", help="every role held, per e-area")
    listing.set_defaults(run=_list)
    for name, helptext in (("grant", "give a role"), ("revoke", "take a role away")):
        cmd = actions.add_parser(name, help=helptext)
        cmd.add_argument("role", help="coordinator, area_owner, chair, deputy_chair, member, portfolio_office, portfolio_chair")
        cmd.add_argument("person", help="AAD object id or exact name of someone Styra knows")
        cmd.add_argument("--e-area", dest="area", help="e-area slug or name (not for portfolio roles)")
        cmd.set_defaults(run=_change, granting=name == "grant")


def _list(args, settings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        rows = db.call(org.role_rows)
    finally:
        db.dispose()
    for scope, _area, role, aad, name in rows:
        print(f"{scope:20} {role.value:18} {aad:40} {name}")
    return 0


def _change(args, settings) -> int:
    role = ROLE_WORDS.get(args.role.casefold()) or (Role(args.role) if args.role in Role._value2member_map_ else None)
    if role is None:
        print(f"unknown role {args.role!r}")
        return 2
    db = Database.from_url(settings.database_url)
    try:
        kind, detail = db.call(change_role, role, args.area, args.person, args.granting, "cli")
    finally:
        db.dispose()
    messages = {
        "no_area": "name the e-area with --e-area",
        "unknown_area": f"no e-area called {detail!r}",
        "unknown_person": f"nobody called {detail!r} is known (use the AAD object id)",
        "ambiguous": f"several people are called {detail!r}; use the AAD object id",
        "changed": f"{'granted' if args.granting else 'revoked'}: {role.value} ({detail.replace('|', ' in ')})",
        "unchanged": f"nothing to do: {detail.replace('|', ' in ')}",
    }
    print(messages[kind])
    return 0 if kind in ("changed", "unchanged") else 2
