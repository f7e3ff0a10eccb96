"""The snapshot helper fails on a missing or changed snapshot and writes only when asked to."""

import pytest

from tests.support.snapshots import UPDATE, assert_snapshot

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hej å"}]}


def test_a_missing_snapshot_fails_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(UPDATE, raising=False)
    with pytest.raises(pytest.fail.Exception, match="no snapshot card.json"):
        assert_snapshot("card.json", CARD, directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_with_the_update_switch_it_writes_sorted_json_and_then_matches(tmp_path, monkeypatch):
    monkeypatch.setenv(UPDATE, "1")
    assert_snapshot("card.json", CARD, directory=tmp_path / "new")
    written = (tmp_path / "new" / "card.json").read_text(encoding="utf-8")
    assert written.startswith('{\n  "body": [') and '"Hej å"' in written and written.endswith("}\n")
    monkeypatch.delenv(UPDATE)
    assert_snapshot("card.json", CARD, directory=tmp_path / "new")


def test_a_changed_card_fails_and_leaves_the_snapshot_as_it_was(tmp_path, monkeypatch):
    monkeypatch.setenv(UPDATE, "1")
    assert_snapshot("card.json", CARD, directory=tmp_path)
    monkeypatch.setenv(UPDATE, "0")
    changed = {**CARD, "body": [{"type": "TextBlock", "text": "Hej ä"}]}
    with pytest.raises(AssertionError, match="card.json changed"):
        assert_snapshot("card.json", changed, directory=tmp_path)
    assert "Hej å" in (tmp_path / "card.json").read_text(encoding="utf-8")


def test_text_snapshots_are_compared_as_they_are(tmp_path, monkeypatch):
    monkeypatch.delenv(UPDATE, raising=False)
    (tmp_path / "picture.svg").write_text("<svg/>", encoding="utf-8")
    assert_snapshot("picture.svg", "<svg/>", directory=tmp_path)
    with pytest.raises(AssertionError):
        assert_snapshot("picture.svg", "<svg/>\n", directory=tmp_path)
