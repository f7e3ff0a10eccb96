"""`styra`: administration from the shell (migrate, roles, plans, needs, decisions, wheel, reminders).

Each feature adds its subcommands from its own module via `register(subparsers)`. The settings
are the app's own (`bot.config.Settings`: the environment, then `.env`, then the same defaults),
and everything styra writes is in one language: `--lang sv|en` (before or after the subcommand),
else STYRA_DEFAULT_LOCALE. Commands read it as `args.lang`, always set by `main`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from bot.cli.lang import cli_lang
from bot.config import Settings
from bot.i18n import LANGUAGES, translator

# Modules that add subcommands; each has `register(subparsers)`.
CLI_MODULES = ("bot.cli.roles", "bot.cli.delivery", "bot.cli.decisions", "bot.cli.basis", "bot.cli.wheel",
               "bot.cli.plans", "bot.cli.needs", "bot.cli.commissions", "bot.cli.reports")

LANG_HELP = "language of what styra writes: sv or en (default: STYRA_DEFAULT_LOCALE)"


def _migrate(args, settings: Settings) -> int:
    from storage.migrate import upgrade

    t = translator(args.lang)
    upgrade(settings.database_url)
    print(t("The database is up to date ({where}).", where=settings.database_url.split("@")[-1]))
    return 0


def _leaves(parser: argparse.ArgumentParser):
    """Every parser that runs a command (a subcommand without subcommands of its own)."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001
    if not subs:
        yield parser
    for action in subs:
        for child in dict.fromkeys(action.choices.values()):
            yield from _leaves(child)


def _one_lang_option(parser: argparse.ArgumentParser) -> None:
    """`--lang` everywhere, meaning the same thing: a subcommand's own option must not reset the
    one given before it (argparse lets a subparser's default overwrite the parent's value)."""
    for leaf in _leaves(parser):
        mine = [a for a in leaf._actions if a.dest == "lang"]  # noqa: SLF001
        if mine:
            for action in mine:
                action.default, action.choices, action.help = argparse.SUPPRESS, LANGUAGES, LANG_HELP
        else:
            leaf.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=LANG_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="styra", description="Administer Styra.")
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help=LANG_HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(run=_migrate)
    for name in CLI_MODULES:
        importlib.import_module(name).register(sub)
    _one_lang_option(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    settings = Settings()
    args.lang = cli_lang(args, settings)
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
