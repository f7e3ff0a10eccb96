"""`styra` as a newcomer runs it: a real process, the same `.env` and defaults as the app, one
language (`--lang`, else STYRA_DEFAULT_LOCALE), and `reminders preview` in development only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from storage.db import Database
from storage.demo import load_demo
from storage.models import ChannelPurpose, ConversationRef
from storage.outbox_tables import OutboxMessage
from storage.reminder_tables import ReminderOccurrence
from storage.reminders import subject_of

REPO = Path(__file__).resolve().parents[2]
SWEDISH_ONLY = ("Databasen", "Årshjulsfilen", "svar senast", "Det finns", "misslyckades")
ENGLISH_ONLY = ("The database", "The wheel file", "answer by", "There is no", " failed")


def styra(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m bot.cli ARGS` in `cwd`, this checkout's code, no STYRA_/DATABASE_URL from outside."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("STYRA_") and k not in ("DATABASE_URL", "PORT")}
    clean.update(env, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=clean, capture_output=True,
                          text=True, timeout=120)


def test_styra_reads_the_env_file_of_its_directory_like_the_app(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///from-env-file.db\nSTYRA_DEFAULT_LOCALE=en\n")
    done = styra(tmp_path, "migrate")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "The database is up to date (sqlite:///from-env-file.db)."
    assert (tmp_path / "from-env-file.db").is_file()
    # the environment beats .env, as for the app (pydantic-settings)
    done = styra(tmp_path, "migrate", STYRA_DEFAULT_LOCALE="sv")
    assert done.stdout.strip() == "Databasen är uppdaterad (sqlite:///from-env-file.db)."


def test_one_language_per_run_default_from_settings_and_lang_wins(tmp_path):
    swedish = styra(tmp_path, "wheel", "validate")
    assert swedish.returncode == 0
    assert swedish.stdout.startswith("Årshjulsfilen är giltig: 22 aktiviteter")
    assert not any(word in swedish.stdout for word in ENGLISH_ONLY)

    english = styra(tmp_path, "wheel", "show", "--year", "2026", STYRA_DEFAULT_LOCALE="en")
    assert english.returncode == 0, english.stderr
    assert "2026-04-07 Tue 09:00  answer by" in english.stdout
    assert not any(word in english.stdout for word in SWEDISH_ONLY)
    assert "informationssäkerhet" not in english.stdout  # activity titles in English too

    sv = styra(tmp_path, "--lang", "sv", "wheel", "show", "--year", "2026", STYRA_DEFAULT_LOCALE="en")
    assert "2026-04-07 tis 09:00  svar senast" in sv.stdout and "answer by" not in sv.stdout


def test_an_unknown_language_is_refused_by_argparse(tmp_path):
    done = styra(tmp_path, "--lang", "de", "wheel", "validate")
    assert done.returncode == 2 and "invalid choice: 'de'" in done.stderr


def test_reminders_status_speaks_one_language(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///s.db\n")
    assert styra(tmp_path, "migrate").returncode == 0
    assert styra(tmp_path, "reminders", "status").stdout.strip() == "Inga påminnelser att visa."
    assert styra(tmp_path, "reminders", "status", "--lang", "en").stdout.strip() == "No reminders to show."
    missing = styra(tmp_path, "--lang", "en", "reminders", "resend", "a/b/c")
    assert missing.returncode == 2 and missing.stdout.strip() == "There is no reminder a/b/c."


@pytest.fixture
def demo_db(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///demo.db\nSTYRA_ENV=development\n")
    assert styra(tmp_path, "migrate").returncode == 0
    db = Database.from_url(f"sqlite:///{tmp_path / 'demo.db'}")
    db.call(load_demo)
    yield db
    db.dispose()


def _link_steering(session, slug: str = "utbildning") -> None:
    from storage import org

    ref = ConversationRef(conversation_id="19:utb-styrgrupp@thread.tacv2", service_url="https://smba.trafficmanager.net/emea/",
                          kind="channel", tenant_id="t", bot_id="b")
    org.save_conversation(session, ref)
    org.link_channel(session, ChannelPurpose.steering, org.find_e_area(session, slug), ref.conversation_id, "admin")


def test_preview_is_refused_outside_development_and_posts_nothing(tmp_path, demo_db):
    demo_db.call(_link_steering)
    done = styra(tmp_path, "reminders", "preview", "mar-steering-material", "--e-area", "utbildning",
                 STYRA_ENV="production", STYRA_DEFAULT_LOCALE="en")
    assert done.returncode == 2
    assert "runs only in development (STYRA_ENV=development). Nothing was posted." in done.stdout
    assert "Traceback" not in done.stderr
    assert demo_db.call(lambda s: list(s.exec(select(OutboxMessage)))) == []
    assert demo_db.call(lambda s: list(s.exec(select(ReminderOccurrence)))) == []


def test_preview_posts_the_reminder_through_the_outbox_in_development(tmp_path, demo_db):
    unlinked = styra(tmp_path, "reminders", "preview", "mar-steering-material", "--e-area", "education", "--lang", "en")
    assert unlinked.returncode == 2
    assert "Education has no steering-group channel yet: write **@Styra link utbildning**" in unlinked.stdout

    demo_db.call(_link_steering)
    done = styra(tmp_path, "reminders", "preview", "mar-steering-material", "--e-area", "utbildning", "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The reminder mar-steering-material" in done.stdout and "for Education is in the outbox" in done.stdout

    [row] = demo_db.call(lambda s: list(s.exec(select(ReminderOccurrence))))
    assert (row.activity_key, row.scope, row.status, row.sent_count) == ("mar-steering-material", "utbildning", "sent", 1)
    [post] = demo_db.call(lambda s: list(s.exec(select(OutboxMessage))))
    assert post.recipient == "linked:steering:utbildning" and post.kind == "post"
    assert post.subject == subject_of(row.id) and post.status == "pending"
    card = json.loads(post.activity)["attachments"][0]["content"]
    # the channel's language is the organisation's (Swedish): the card is the tick's own card
    assert "Utbildning" in json.dumps(card, ensure_ascii=False)
    assert any(a.get("data", {}).get("occurrence_id") == row.id for a in _actions(card))

    again = styra(tmp_path, "reminders", "preview", "mar-steering-material", "--e-area", "utbildning")
    assert again.returncode == 0 and "ligger i utkorgen" in again.stdout
    assert len(demo_db.call(lambda s: list(s.exec(select(OutboxMessage))))) == 2  # a second copy
    assert len(demo_db.call(lambda s: list(s.exec(select(ReminderOccurrence))))) == 1  # the same occurrence

    unknown = styra(tmp_path, "reminders", "preview", "no-such-thing", "--e-area", "utbildning", "--lang", "en")
    assert unknown.returncode == 2 and 'The wheel has no activity "no-such-thing"' in unknown.stdout


def _actions(node):
    if isinstance(node, dict):
        if node.get("type", "").startswith("Action."):
            yield node
        for value in node.values():
            yield from _actions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _actions(item)
