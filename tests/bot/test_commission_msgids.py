"""The commission msgids that reach `t()` through a name rather than a literal (rule reasons and
refusals, shared answers, notice texts) have a Swedish translation too: scripts/i18n_check.py
only sees literals."""

from __future__ import annotations

import pytest

from bot.i18n import translator
from bot.rules import commission_document, commissions
from dialogs.commissions import capability, closing, document, steps
from storage import commissions as repo

NOTICES = (
    "Returned: {title}", "{who} declined version {version}. Change the document and send it again.", "Edit",
    "Decided: {title}",
    "Every manager has approved version {version}. The commission has the number {number}. Whoever registers it as "
    "an executive decision can note its registry number on the commission.",
    "Final report acknowledged: {title}",
    "The responsible manager has acknowledged the final report. The commission is closed.",
    "The document was changed while it was out for approval: earlier answers no longer count.",
)


def _constants(module) -> list[str]:
    found: list[str] = []
    for name, value in vars(module).items():
        if not name.isupper() or not name.startswith(("E_", "W_", "R_")):
            continue
        found += [value] if isinstance(value, str) else [v for v in getattr(value, "values", lambda: [])() if isinstance(v, str)]
    return found


MSGIDS = sorted({*_constants(commissions), *_constants(commission_document), *_constants(repo), *NOTICES,
                 capability.NOT_FOUND, steps.E_DECIDED, document.SAVED, closing.E_NOT_STEERING})


@pytest.mark.parametrize("msgid", MSGIDS)
def test_the_msgid_has_a_swedish_translation(msgid):
    assert translator("sv").gettext(msgid) != msgid


def test_the_notice_texts_are_the_ones_the_code_uses():
    from pathlib import Path

    source = Path(__file__).resolve().parents[2].joinpath("dialogs/commissions/notices.py").read_text(encoding="utf-8")
    flat = " ".join(source.split()).replace('" "', "")
    for msgid in NOTICES:
        assert msgid in flat, msgid
