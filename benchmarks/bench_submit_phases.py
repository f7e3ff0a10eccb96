"""CPU of the need submit's own phases, one thread, no HTTP: the check (read unit, similarity
search), the save (the write: need, event, notice rows), the confirmation card, the index put.

    python benchmarks/bench_submit_phases.py [DATABASE_URL]     # N=300 submits by default

Run it from two checkouts (e.g. a worktree of main) one after the other to compare; the turn
around it (door, envelope, reply) is measured by `bench_needs.py submit`.
"""
# ruff: noqa: E401, E402, E702, I001
import os
import random
import secrets
import sys
import tempfile
import time

sys.path.insert(0, os.getcwd())
import logging; logging.disable(logging.WARNING)
from datetime import UTC, datetime

from bot.config import Settings
from bot.i18n import translator
from bot.similar import SimilarIndex
from bot.turn import Speaker
from dialogs.needs import register as reg
from storage.db import Database
from storage.demo import load_demo
from storage.migrate import upgrade

url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/ph.db"
upgrade(url)
settings = Settings(_env_file=None, STYRA_ENV="development", DATABASE_URL=url, STYRA_NEED_NOTICES="each",
                    STYRA_NOTIFY_COORDINATORS_IN="personal", MicrosoftAppId="")
db = Database.from_url(url)
db.call(load_demo)
index = SimilarIndex()
rng = random.Random(3)
def word(): return "".join(rng.choice("bdfgklmnprstv") + rng.choice("aeiouyåäö") for _ in range(4))
t = translator("sv")
speaker = Speaker("aad-bench-user", "Bench User", "29:bench")
phases = {"check": 0.0, "save": 0.0, "card": 0.0, "put": 0.0}
N = int(os.environ.get("N", "300"))
kinds = {}
for i in range(N + 20):
    form = reg.SubmitNeed.model_validate({"verb": "need.submit", "form_id": secrets.token_hex(12),
        "title": f"Ny {word()} {word()}", "description": f"{word()} {word()} {word()}.",
        "e_area": rng.choice(("utbildning", "forskning", "ekonomi")), "source": "staff", "on_behalf_of": "",
        "benefit": "", "hours": "40", "cost": "10 000", "wished_date": "", "goals": ""})
    now = datetime.now(UTC)
    sub = reg.Submission(t=t, speaker=speaker, form=form, today=now.date(), now=now, settings=settings, index=index)
    c0 = time.process_time()
    out = db.read_call(reg.check_work, sub)
    c1 = time.process_time()
    if out.kind in ("valid", "similar"):
        out = db.call(reg.save_work, sub, out)
    c2 = time.process_time()
    reg.card_of(sub, out)
    c3 = time.process_time()
    if out.kind == "created":
        index.put(out.need.e_area_id, out.need.id, out.need.title, out.need.description)
    c4 = time.process_time()
    if i >= 20:
        kinds[out.kind] = kinds.get(out.kind, 0) + 1
        for k, a, b in (("check", c0, c1), ("save", c1, c2), ("card", c2, c3), ("put", c3, c4)):
            phases[k] += b - a
print({k: round(v * 1000 / N, 3) for k, v in phases.items()}, "ms per submit;", kinds, "total", round(sum(phases.values()) * 1000 / N, 3), "load", os.getloadavg()[0])
db.dispose()
