"""The README's "Who sees what" section is the access policy, rendered (scripts/policy_table.py)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from policy_table import END, START, render  # noqa: E402


def test_the_readme_shows_what_the_rule_decides():
    readme = (ROOT / "README.md").read_text()
    assert START in readme and END in readme
    shown = readme[readme.index(START): readme.index(END) + len(END)]
    assert shown == render(), "README.md disagrees with bot/rules/policy.py: run scripts/policy_table.py --write"


def test_every_verb_and_record_of_the_rule_is_in_the_table():
    from bot.rules.policy import VERBS

    shown = render()
    assert all(f"| `{verb}` |" in shown for verb in VERBS)
    assert "| decision basis (and its decision card) | preparation | the e-area's coordinators, area owners |" in shown
