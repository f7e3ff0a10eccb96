"""An organisation's own wheel file: a mistake refuses the start, naming the line and the reason;
`styra wheel validate|show` check it from the shell."""

import pytest

from bot.cli.main import main as cli_main
from tests.support.botkit import BotHarness

BAD = '''reminder_time = "09:00"

[steering_meetings]
3 = "nth_weekday = 3 tuesday"
6 = "nth_weekday = 3 tuesday"
9 = "nth_weekday = 3 tuesday"
12 = "nth_weekday = 3 tuesday"

[[activity]]
key = "jan-kickoff"
month = 13
when = "working_day = 3"
audience = "coordinators"
title_sv = "Uppstart"
body_sv = "Gå igenom planen."
'''


async def test_a_wheel_file_with_an_error_refuses_the_start(db_url, connector, tmp_path):
    path = tmp_path / "wheel.toml"
    path.write_text(BAD, encoding="utf-8")
    from app import SERVICES, build_app
    from bot.config import Settings

    settings = Settings(_env_file=None, STYRA_ENV="development", DATABASE_URL=db_url, STYRA_DEMO="1",
                        STYRA_SCHEDULER="0", MicrosoftAppId="", STYRA_WHEEL_FILE=str(path))
    app = build_app(settings)
    app.freeze()
    with pytest.raises(SystemExit) as refused:
        await app.startup()  # what web.run_app does before it listens
    app[SERVICES].db.dispose()
    message = str(refused.value)
    assert "wheel.toml line 11" in message
    assert "month must be a number from 1 to 12" in message


async def test_a_good_wheel_file_is_used(db_url, connector, tmp_path):
    path = tmp_path / "wheel.toml"
    path.write_text(BAD.replace("month = 13", "month = 1"), encoding="utf-8")
    harness = await BotHarness.start(db_url, connector=connector, STYRA_WHEEL_FILE=str(path))
    try:
        wheel = harness.services.wheel
        assert [a.key for a in wheel.activities] == ["jan-kickoff"]
    finally:
        await harness.close(connector_too=False)


def test_cli_validate_names_the_line_and_show_lists_the_dates(tmp_path, capsys):
    path = tmp_path / "wheel.toml"
    path.write_text(BAD, encoding="utf-8")
    assert cli_main(["wheel", "validate", str(path)]) == 1
    assert "wheel.toml line 11: activity 'jan-kickoff': month must be a number from 1 to 12" in capsys.readouterr().out

    assert cli_main(["wheel", "validate", "--lang", "en"]) == 0  # the built-in wheel
    assert "The wheel file is valid: 22 activities" in capsys.readouterr().out

    assert cli_main(["wheel", "show", "--year", "2026", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    # Långfredag (3 April) and annandag påsk (6 April) are skipped: third working day is 7 April.
    assert "2026-04-07 Tue 09:00" in out and "apr-security-assessment" in out
