"""`styra decisions export`: every decision of an e-area in an .xlsx file."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.cli import decisions as cli_decisions
from bot.config import Settings
from tests.support.botkit import ALEX, PATTI
from tests.support.decision_kit import link_channels, make_basis

NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)


def main(argv: list[str]) -> int:
    """`styra decisions …` with only this feature's subcommands (the other CLI modules are not ours)."""
    parser = argparse.ArgumentParser(prog="styra")
    cli_decisions.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args, Settings())


async def test_export_writes_headers_rows_widths_and_a_filter(bot, db_url, tmp_path, monkeypatch):
    bot.services.clock = lambda: NOW
    await bot.query(link_channels, bot.connector.url)
    first = await bot.query(make_basis)
    second = await bot.query(make_basis)
    await bot.invoke({"verb": "decision.approve", "basis_id": first, "registry_number": "UTB 2026/1",
                      "comment": "Ja, med villkor."}, user=ALEX)
    await bot.invoke({"verb": "decision.escalate", "basis_id": second}, user=ALEX)
    await bot.services.outbox.drain()
    await bot.invoke({"verb": "decision.defer", "basis_id": second, "level": "portfolio"}, user=PATTI)
    await bot.services.outbox.drain()

    out = tmp_path / "beslut.xlsx"
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("STYRA_ENV", "development")
    assert main(["decisions", "export", "--e-area", "utbildning", "--out", str(out)]) == 0
    sheet = load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:8] == ["Beslut", "Nivå", "Följer på beslut", "Beslutsdatum", "E-område", "Behov", "Rubrik", "Utfall"]
    assert [r[0] for r in rows[1:]] == ["D-2026-0001", "D-2026-0002", "D-2026-0003"]
    assert rows[1][7] == "Godkänt" and rows[1][9] == "Ja, med villkor." and rows[1][10] == "UTB 2026/1"
    assert rows[3][1] == "Portföljledningen" and rows[3][2] == "D-2026-0002" and rows[3][7] == "Uppskjutet till behovsinventeringen"
    assert rows[1][3] == datetime(2026, 11, 21, 14, 5)  # Swedish local time
    assert sheet.auto_filter.ref == "A1:Q4"
    assert sheet.column_dimensions["G"].width == 40

    assert main(["decisions", "export", "--e-area", "nowhere", "--out", str(out)]) == 2


def test_the_export_is_part_of_the_styra_command():
    from bot.cli.main import CLI_MODULES

    assert "bot.cli.decisions" in CLI_MODULES
