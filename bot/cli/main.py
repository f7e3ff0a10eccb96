"""`styra`: administration from the shell (migrate, roles, plans, needs, decisions, wheel, reminders).

Each feature adds its subcommands from its own module via `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from bot.config import Settings

# Modules that add subcommands; each has `register(subparsers)`.
CLI_MODULES = ("bot.cli.roles", "bot.cli.delivery", "bot.cli.decisions", "bot.cli.basis", "bot.cli.wheel",
               "bot.cli.plans", "bot.cli.needs", "bot.cli.commissions", "bot.cli.reports")


def _migrate(args, settings: Settings) -> int:
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    print(f"database is up to date ({settings.database_url.split('@')[-1]})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="styra", description="Administer Styra.")
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=_migrate)
    for name in CLI_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        return int(args.run(args, settings) or 0)
    except SystemExit:
        raise
    except Exception as exc:  # a clear line, not a traceback, for the operator
        logging.getLogger("styra.cli").debug("failed", exc_info=True)
        print(f"styra {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
