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

    assert main(["--lang", "en", "roles", "grant", "chair", "Megan Bowen", "--e-area", "utbildning"]) == 0
    assert "Granted: Megan Bowen is now chair in Education." in capsys.readouterr().out
    assert main(["roles", "list"]) == 0
    listing = capsys.readouterr().out
    assert any(line.split()[:2] == ["utbildning", "chair"] and "Megan Bowen" in line for line in listing.splitlines())

    assert main(["roles", "revoke", "chair", "Megan Bowen", "--e-area", "utbildning", "--lang", "en"]) == 0
    assert "Revoked: Megan Bowen is no longer chair in Education." in capsys.readouterr().out
    assert main(["roles", "grant", "chair", "Nobody Known", "--e-area", "utbildning", "--lang", "en"]) == 2
    assert 'Nobody called "Nobody Known" is known' in capsys.readouterr().out
    assert main(["roles", "grant", "chair", "Megan Bowen", "--lang", "en"]) == 2
    assert "--e-area" in capsys.readouterr().out
    # Without --lang: STYRA_DEFAULT_LOCALE (Swedish), the e-area by its Swedish name.
    assert main(["roles", "grant", "chair", "Megan Bowen", "--e-area", "utbildning"]) == 0
    assert "Tilldelad: Megan Bowen är nu ordförande i Utbildning." in capsys.readouterr().out
    db.dispose()
