"""`styra roles list|grant|revoke`."""

from __future__ import annotations

from bot.cli.lang import cli_translator
from bot.i18n import area_name
from bot.roles import ROLE_WORDS, change_role, role_label
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
    t = cli_translator(args, settings)
    for scope, area, role, aad, name in rows:
        where = area_name(area, t) if area else t("Portfolio")
        print(f"{scope:20} {role.value:18} {aad:40} {name}  ({role_label(t, role)}, {where})")
    return 0


def _change(args, settings) -> int:
    role = ROLE_WORDS.get(args.role.casefold()) or (Role(args.role) if args.role in Role._value2member_map_ else None)
    t = cli_translator(args, settings)
    if role is None:
        print(t("Unknown role. Roles: coordinator, area_owner, chair, deputy_chair, member, portfolio_office, portfolio_chair."))
        return 2
    db = Database.from_url(settings.database_url)
    try:
        kind, detail = db.call(change_role, role, args.area, args.person, args.granting, "cli", t.lang)
    finally:
        db.dispose()
    name, _, where = detail.partition("|")
    label = role_label(t, role)
    messages = {
        "no_area": lambda: t("Name the e-area with --e-area."),
        "unknown_area": lambda: t("I do not know an e-area called \"{name}\".", name=detail),
        "unknown_person": lambda: t("Nobody called \"{name}\" is known; use the AAD object id.", name=detail),
        "ambiguous": lambda: t("Several people are called \"{name}\". Use their Azure AD object id instead.", name=detail),
        "changed": lambda: (t("Granted: {name} is now {role} in {area}.", name=name, role=label, area=where) if args.granting
                            else t("Revoked: {name} is no longer {role} in {area}.", name=name, role=label, area=where)),
        "unchanged": lambda: (t("Nothing to do: {name} already has that role.", name=name) if args.granting
                              else t("Nothing to do: {name} did not have that role.", name=name)),
    }
    print(messages[kind]())
    return 0 if kind in ("changed", "unchanged") else 2
