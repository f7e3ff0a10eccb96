"""Styra with Teams' app-wide limit (about 50 sends per second) lifted: for measurement only.

Every reply is paced to that limit in production, so past 50 turns/s the paced bot measures the
limit, not the engine. This wrapper shows what the engine itself does next to the echo bot (which
paces nothing); the per-conversation limits stay.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.getcwd())

from bot.teams import pacing  # noqa: E402

pacing.Pacer.__init__.__kwdefaults__["global_limits"] = ((1_000_000, 1.0),)

import app  # noqa: E402

if __name__ == "__main__":
    app.main()
