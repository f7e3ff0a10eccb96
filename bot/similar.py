"""Similar needs in one e-area, fast enough to run on every form submit.

An in-process index per e-area holds each stored need's normalised title and text. Before a
lookup it reads only the rows added since it last looked (id > the highest id it has), so a
lookup costs one indexed query plus the matching. Needs saved by other processes are picked up
the same way (with a small window below the highest id, for late commits). Two prefilters pick
candidates over the whole area: rapidfuzz's C matcher on whole titles, and shared word stems from
an inverted index; the finer Swedish-aware score of bot.rules.needs runs on those few only. Statuses are read fresh for the hits, since they change.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.rules import needs as rules
from storage import needs as repo
from storage.models import Need, NeedStatus

PREFILTER = 12
PREFILTER_CUTOFF = 45.0
STEM = 5  # a word's first letters, diacritics folded: "tentamen"/"tentamina", "lärare"/"larare" meet
QUERY_WORDS = 12
STEM_CANDIDATES = 30


def _stems(normalised_ascii: str) -> set[str]:
    return {word[:STEM] for word in normalised_ascii.split() if len(word) >= 3}


# PostgreSQL hands out ids before commit, so a lower id can become visible after a higher one.
# Each refresh re-reads this many ids below the highest seen and skips the ones already indexed.
LATE_COMMIT_WINDOW = 32


@dataclass
class _Area:
    last_id: int = 0
    known: set[int] = field(default_factory=set)
    entries: list[rules.Indexed] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # diacritic-free, for the prefilter
    postings: dict[str, list[int]] = field(default_factory=dict)  # word stem -> entry positions


class SimilarIndex:
    def __init__(self) -> None:
        self._areas: dict[int, _Area] = {}
        self._lock = threading.Lock()

    def refresh(self, session, e_area_id: int) -> _Area:
        with self._lock:
            area = self._areas.setdefault(e_area_id, _Area())
            rows = repo.index_rows(session, e_area_id, max(0, area.last_id - LATE_COMMIT_WINDOW))
            for need_id, title, description in rows:
                if need_id in area.known:
                    continue
                area.known.add(need_id)
                entry = rules.index_entry(need_id, title, description)
                position = len(area.entries)
                area.entries.append(entry)
                area.titles.append(entry.title_ascii)
                for stem in _stems(rules.without_diacritics(entry.text)):
                    area.postings.setdefault(stem, []).append(position)
                area.last_id = max(area.last_id, need_id)
            return area

    def search(self, session, e_area_id: int, title: str, description: str, *, limit: int = 3,
               exclude: set[int] | None = None) -> list[tuple[Need, float]]:
        """Up to `limit` needs of the e-area that look like this one, best first, with scores."""
        area = self.refresh(session, e_area_id)
        query_title = rules.normalise(title)
        query_text = rules.normalise(f"{title} {description[:600]}")
        if not query_title or not area.entries:
            return []
        entries, titles = area.entries, area.titles  # append-only: a safe snapshot
        # Prefilter 1: whole titles, in rapidfuzz's C loop.
        candidates = {index for _choice, _score, index in process.extract(
            rules.without_diacritics(query_title), titles, scorer=fuzz.ratio, processor=None,
            limit=PREFILTER, score_cutoff=PREFILTER_CUTOFF)}
        # Prefilter 2: shared word stems, whatever their order (title words first, then the longest).
        words = query_title.split() + sorted(set(query_text.split()) - set(query_title.split()), key=len, reverse=True)
        stems = list(dict.fromkeys(w[:STEM] for w in rules.without_diacritics(" ".join(words)).split() if len(w) >= 3))
        shared: Counter[int] = Counter()
        for stem in stems[:QUERY_WORDS]:
            shared.update(area.postings.get(stem, ()))
        need = 2 if len(stems) >= 2 else 1
        candidates.update(index for index, count in shared.most_common(STEM_CANDIDATES) if count >= need)
        scored = []
        for index in candidates:
            entry = entries[index]
            if exclude and entry.need_id in exclude:
                continue
            score = rules.similarity(query_title, query_text, entry)
            if score >= rules.SIMILAR_THRESHOLD:
                scored.append((score, entry.need_id))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        fresh = repo.by_ids(session, [need_id for _score, need_id in scored[: limit * 3]])
        joinable = {NeedStatus(s) for s in rules.JOINABLE_STATUSES}
        out = []
        for score, need_id in scored:
            need = fresh.get(need_id)
            if need is not None and NeedStatus(need.status) in joinable and need.e_area_id == e_area_id:
                out.append((need, score))
            if len(out) == limit:
                break
        return out


def index_of(services) -> SimilarIndex:
    """One index per running app (kept in services.extras)."""
    found = services.similar
    if found is None:
        found = services.similar = SimilarIndex()
    return found
