"""`styra wheel show|validate [FILE]` and `styra reminders status|resend KEY|preview` (bot/cli/preview.py).

Time comes from one clock, passed to `register` once (the app's `system_clock` by default): it
picks `show`'s year and stamps what `resend` writes, as `services.clock` does in the app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.cli import preview
from bot.cli.lang import cli_translator
from bot.rules.calendar import to_local
from bot.rules.wheel import occurrences_for_year
from bot.rules.wheel_file import WheelError, load_wheel
from bot.services import system_clock
from storage import reminders as repo
from storage.db import Database

Clock = Callable[[], dt.datetime]


def register(sub, clock: Clock = system_clock) -> None:
    wheel = sub.add_parser("wheel", help="show or check the annual wheel file")
    actions = wheel.add_subparsers(dest="wheel_command", required=True)
    show = actions.add_parser("show", help="every activity with its date in a year")
    show.add_argument("file", nargs="?", help="wheel file (default: STYRA_WHEEL_FILE or the built-in wheel)")
    show.add_argument("--year", type=int, help="year (default: this year)")
    show.set_defaults(run=_show, clock=clock)
    validate = actions.add_parser("validate", help="check a wheel file; names the line of a mistake")
    validate.add_argument("file", nargs="?", help="wheel file (default: STYRA_WHEEL_FILE or the built-in wheel)")
    validate.set_defaults(run=_validate)

    reminders = sub.add_parser("reminders", help="delivery state of the wheel's reminders")
    ractions = reminders.add_subparsers(dest="reminders_command", required=True)
    status = ractions.add_parser("status", help="reminders not yet closed, and every failure")
    status.add_argument("--all", action="store_true", help="include answered and missed ones")
    status.set_defaults(run=_status, clock=clock)
    resend = ractions.add_parser("resend", help="deliver a reminder again on the next tick")
    resend.add_argument("key", help="ACTIVITY/PERIOD/E-AREA, e.g. mar-steering-material/2026-03/utbildning")
    resend.set_defaults(run=_resend, clock=clock)
    preview.register(ractions, clock)


def weekday(t, day: dt.date) -> str:
    return (t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun"))[day.weekday()]


def _load(args, settings):
    return load_wheel(args.file or settings.wheel_file)


def _validate(args, settings) -> int:
    t = cli_translator(args, settings)
    try:
        wheel = _load(args, settings)
    except WheelError as exc:
        print(t("The wheel file is not valid: {error}", error=exc))
        return 1
    print(t.n("The wheel file is valid: {n} activity, reminders at {time} local time ({zone}).",
              "The wheel file is valid: {n} activities, reminders at {time} local time ({zone}).",
              len(wheel.activities), time=f"{wheel.reminder_time:%H:%M}", zone=settings.timezone))
    return 0


def _show(args, settings) -> int:
    t = cli_translator(args, settings)
    try:
        wheel = _load(args, settings)
    except WheelError as exc:
        print(t("The wheel file is not valid: {error}", error=exc))
        return 1
    zone = settings.zone
    year = args.year or to_local(args.clock(), zone).year
    for occ in occurrences_for_year(wheel, year, zone):
        activity = wheel.activity(occ.activity_key)
        local = to_local(occ.due_at, zone)
        print(f"{local:%Y-%m-%d} {weekday(t, local)} {local:%H:%M}  " + t("answer by {day}", day=occ.answer_by)
              + f"  {activity.audience:15} {occ.activity_key:28} {activity.title[t.lang]}")
    return 0


def _status(args, settings) -> int:
    db = Database.from_url(settings.database_url, clock=args.clock)
    try:
        statuses = None if args.all else ("due", "claimed", "sent", "failed", "missed")
        rows = db.call(repo.all_rows, statuses=statuses)
    finally:
        db.dispose()
    t = cli_translator(args, settings)
    if not rows:
        print(t("No reminders to show."))
        return 0
    zone = settings.zone
    print(f"{t('key'):52} {t('status'):9} {t('answer'):15} {t('tries'):>5}  {t('missed'):10}  {t('last error')}")
    for row in rows:
        key = f"{row.activity_key}/{row.period}/{row.scope}"
        error = f"{row.last_status or ''} {row.last_error or ''}".strip()
        # Missed (Styra was down past the grace period) is not a delivery failure: it says when
        # it was found missed, whatever became of the "still relevant?" post since.
        missed = f"{to_local(row.missed_at, zone):%Y-%m-%d}" if row.missed_at else "-"
        print(f"{key:52} {row.status:9} {row.answer or '-':15} {row.attempts:>5}  {missed:10}  {error}")
    missed_rows = [r for r in rows if r.missed_at is not None]
    if missed_rows:
        print("\n" + t.n("{n} missed while Styra was down (column missed: when it was found); those due in the {days} days before are posted once as \"missed, still relevant?\", older ones only listed here.",
                         "{n} missed while Styra was down (column missed: when it was found); those due in the {days} days before are posted once as \"missed, still relevant?\", older ones only listed here.",
                         len(missed_rows), days=repo.MISSED_POST_WINDOW.days))
    failed = [r for r in rows if r.status == "failed"]
    if failed:
        print("\n" + t.n("{n} failed: fix the channel (or relink it), then `styra reminders resend KEY`.",
                         "{n} failed: fix the channels (or relink them), then `styra reminders resend KEY`.", len(failed)))
    return 0


def _resend(args, settings) -> int:
    t = cli_translator(args, settings)
    parts = args.key.split("/")
    if len(parts) != 3:
        print(t("KEY is ACTIVITY/PERIOD/E-AREA, as `styra reminders status` shows it."))
        return 2
    db = Database.from_url(settings.database_url, clock=args.clock)
    try:
        row = db.call(repo.resend, *parts, args.clock())
    finally:
        db.dispose()
    if row is None:
        print(t("There is no reminder {key}.", key=args.key))
        return 2
    print(t("{key} will be delivered again on the next tick.", key=args.key))
    return 0
