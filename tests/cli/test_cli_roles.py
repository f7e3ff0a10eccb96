"""`styra migrate` and `styra roles …` from the shell."""

from bot.cli.main import main
from storage.db import Database
from storage.demo import load_demo


def test_migrate_then_grant_list_and_revoke(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0
    db = Database.from_url(url)
    db.call(load_demo)

    assert main(["roles", "grant", "chair", "Megan Bowen", "--e-area", "utbildning"]) == 0
    assert "granted: chair (Megan Bowen in Utbildning)" in capsys.readouterr().out
    assert main(["roles", "list"]) == 0
    listing = capsys.readouterr().out
    assert any(line.split()[:2] == ["utbildning", "chair"] and "Megan Bowen" in line for line in listing.splitlines())

    assert main(["roles", "revoke", "chair", "Megan Bowen", "--e-area", "utbildning"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["roles", "grant", "chair", "Nobody Known", "--e-area", "utbildning"]) == 2
    assert "nobody called 'Nobody Known'" in capsys.readouterr().out
    assert main(["roles", "grant", "chair", "Megan Bowen"]) == 2
    assert "--e-area" in capsys.readouterr().out
    db.dispose()
