"""`styra wheel show` and `styra reminders resend` read the one clock handed to the CLI, never
the wall clock of their own."""

import argparse
import datetime as dt

from bot.cli import wheel as wheel_cli
from bot.config import Settings
from storage import reminders as repo
from storage.db import Database

FIXED = dt.datetime(2031, 6, 2, 10, 0, tzinfo=dt.UTC)


def run(argv: list[str], **env) -> int:
    parser = argparse.ArgumentParser(prog="styra")
    wheel_cli.register(parser.add_subparsers(dest="command", required=True), clock=lambda: FIXED)
    args = parser.parse_args(argv)
    return args.run(args, Settings(_env_file=None, STYRA_ENV="development", **env))


def test_show_lists_the_year_of_the_clock(capsys):
    assert run(["wheel", "show"], STYRA_DEFAULT_LOCALE="en") == 0
    out = capsys.readouterr().out
    # 2031: 1 and 6 January are holidays, so the third working day is Tuesday 7 January.
    assert "2031-01-07 Tue 09:00" in out and "jan-kickoff" in out
    assert all(line.startswith("2031-") for line in out.splitlines())
    assert "answer by" in out and "svar senast" not in out


def test_show_speaks_the_configured_language(capsys):
    assert run(["wheel", "show"]) == 0  # STYRA_DEFAULT_LOCALE: sv
    out = capsys.readouterr().out
    assert "2031-01-07 tis 09:00" in out and "svar senast" in out
    assert "answer by" not in out and " Tue " not in out


def test_validate_names_the_configured_time_zone(capsys):
    assert run(["wheel", "validate"], STYRA_TIMEZONE="Europe/Helsinki", STYRA_DEFAULT_LOCALE="en") == 0
    assert "reminders at 09:00 local time (Europe/Helsinki)" in capsys.readouterr().out


def test_resend_stamps_the_clock_it_was_given(db_url, capsys):
    db = Database.from_url(db_url)
    due = dt.datetime(2031, 3, 11, 8, 0, tzinfo=dt.UTC)
    db.call(repo.materialise, [{"activity_key": "mar-steering-material", "period": "2031-03",
                                "scope": "utbildning", "e_area_id": None, "due_at": due,
                                "send_after": due, "answer_by": None}])
    try:
        assert run(["reminders", "resend", "mar-steering-material/2031-03/utbildning"], DATABASE_URL=db_url,
                   STYRA_DEFAULT_LOCALE="en") == 0
        assert "will be delivered again on the next tick" in capsys.readouterr().out
        row = db.call(repo.by_key, "mar-steering-material", "2031-03", "utbildning")
    finally:
        db.dispose()
    assert (row.status, row.send_after, row.updated_at) == ("due", FIXED, FIXED)
