"""Similar needs: an in-memory index per e-area, fast enough to run on every form submit.

The matching itself is bot.rules.similarity (pure). Here: the word data read from the package
(and the organisation's synonym file, STYRA_SYNONYMS_FILE), and per e-area an inverted index from
concepts (stems, synonym groups) to needs, plus buckets of word beginnings and endings for the
near matches (å typed as a, compound parts, typos). A lookup analyses the new need, collects the
needs sharing a specific concept, scores the best few exactly and reads fresh rows for the hits.

The app builds the index at start-up in a background thread (`start_build`, bot/similar_build.py):
it reads the needs in chunks outside any transaction of a turn, so no turn waits for it. Until it
is done the form's similar check is skipped and `sök` searches titles in the database. Without a
start (tools, tests) an e-area is built on its first lookup. Then it is kept up to date
incrementally: each lookup reads only the needs added since the last one (id > the highest seen,
with a small window for late commits), and `put` re-indexes a need whose title or text was edited
(the lookup also notices a stale entry when it reads the fresh row of a hit).
"""

from __future__ import annotations

import heapq
import logging
import math
import threading
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from operator import itemgetter
from pathlib import Path

from bot.rules import needs as need_rules
from bot.rules import similarity as rules
from bot.rules.lexicon import words_of
from storage import needs as repo
from storage.models import Need, NeedStatus

log = logging.getLogger("styra.similar")

CANDIDATES = 30  # needs scored exactly per lookup, the ones sharing the most telling concepts
COMMON_SHARE = 0.15  # a word in more of an e-area's needs than this only ranks needs found otherwise
DESCRIPTION_CHARS = 600  # what the index reads of a description (storage cuts it the same)
# PostgreSQL hands out ids before commit, so a lower id can become visible after a higher one.
# Each refresh re-reads this many ids below the highest seen and skips the ones already indexed.
LATE_COMMIT_WINDOW = 32


def _toml(name: str) -> dict:
    return tomllib.loads(resources.files("bot.rules").joinpath(name).read_text(encoding="utf-8"))


def load_lexicon(synonyms_file: str | None = None) -> rules.Lexicon:
    """The shipped word data, extended by an organisation's synonym file if one is named."""
    extra = []
    if synonyms_file:
        try:
            extra.append(tomllib.loads(Path(synonyms_file).read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            log.error("synonym file %s not used: %s", synonyms_file, exc)
    return rules.build_lexicon(_toml("synonyms.toml"), _toml("vocabulary.toml"), extra)


def _lookup_concepts(token: rules.Token) -> list[str]:
    groups = [c for c in token.concepts if c.startswith("~")]
    return groups or list(token.concepts)


def _bucket_keys(token: rules.Token) -> set[str]:
    key = rules.fold(token.key)
    return {"<" + key[:4], "<" + token.word[:4], ">" + key[-4:]}


@dataclass
class _Entry:
    profile: rules.Profile
    title: str
    description: str


@dataclass
class AreaIndex:
    """The needs of one e-area, in memory. Not thread-safe by itself (SimilarIndex locks)."""

    analyser: rules.Analyser
    entries: dict[int, _Entry] = field(default_factory=dict)
    postings: dict[str, set[int]] = field(default_factory=dict)  # concept -> need ids
    by_key: dict[str, set[int]] = field(default_factory=dict)  # token key -> need ids
    tokens: dict[str, rules.Token] = field(default_factory=dict)  # token key -> a token with it
    buckets: dict[str, set[str]] = field(default_factory=dict)  # word beginning/ending -> keys

    def put(self, need_id: int, title: str, description: str = "") -> None:
        """Add a need, or re-index an edited one."""
        description = description[:DESCRIPTION_CHARS]
        self.analyser.learn(f"{title} {description}")
        self.add_learned(need_id, title, description)

    def add_learned(self, need_id: int, title: str, description: str) -> None:
        """Index a need whose words the analyser has learned (put learns them first)."""
        self.remove(need_id)
        entry = _Entry(self.analyser.profile(title, description), title, description)
        self.entries[need_id] = entry
        for token in entry.profile.text:
            for concept in token.concepts:
                self.postings.setdefault(concept, set()).add(need_id)
            self.by_key.setdefault(token.key, set()).add(need_id)
            if token.key not in self.tokens:
                self.tokens[token.key] = token
                for bucket in _bucket_keys(token):
                    self.buckets.setdefault(bucket, set()).add(token.key)

    def put_many(self, rows: list[tuple[int, str, str]]) -> None:
        """Learn every word first, so compounds split the same way whatever the order."""
        for _need_id, title, description in rows:
            self.analyser.learn(f"{title} {description[:DESCRIPTION_CHARS]}")
        for need_id, title, description in rows:
            self.add_learned(need_id, title, description[:DESCRIPTION_CHARS])

    def remove(self, need_id: int) -> None:
        entry = self.entries.pop(need_id, None)
        if entry is None:
            return
        for token in entry.profile.text:
            for concept in token.concepts:
                self.postings.get(concept, set()).discard(need_id)
            self.by_key.get(token.key, set()).discard(need_id)

    def _candidates(self, query: tuple[rules.Token, ...], extra: frozenset[str], *, generic_too: bool,
                    title: frozenset[str] | None = None) -> tuple[list[int], dict[str, dict[str, float]]]:
        """Needs sharing the most telling concepts with the query, and the near pairs found on the way.

        A shared rare word counts more than a common one (log2 of how rare it is, counted by
        repeating the C-speed Counter update), and a very common word only adds to needs already
        found through a rarer one, so a lookup never walks most of a large e-area."""
        near: dict[str, dict[str, float]] = {}
        found: list[tuple[int, set[int]]] = []
        for token in query:
            counted = token.weight == 1.0 or generic_too
            ids: set[int] = set()
            if counted:  # by its synonym groups if it has any, else by its stems
                for concept in _lookup_concepts(token):
                    ids |= self.postings.get(concept, set())
            keys = set().union(*(self.buckets.get(b, ()) for b in _bucket_keys(token)))
            for key in keys:
                other = self.tokens[key]
                if key == token.key or token.concepts & other.concepts:
                    continue
                credit = self.analyser.near(token, other, extra)
                if credit:
                    near.setdefault(token.key, {})[key] = credit
                    near.setdefault(key, {})[token.key] = credit
                    if counted:
                        ids |= self.by_key.get(key, set())
            if ids:
                in_title = title is None or token.key in title
                found.append((len(ids), in_title, ids))
        total = max(1, len(self.entries))
        counts: Counter[int] = Counter()
        for size, in_title, ids in sorted(found, key=lambda item: item[0]):
            weight = min(4, max(1, round(math.log2(total / size))))
            # a common word, or a word only in the new need's description, finds no new needs
            common = size > (COMMON_SHARE if in_title else COMMON_SHARE / 5) * total and counts
            for _ in range(weight):
                counts.update(ids & counts.keys() if common else ids)
        best = heapq.nlargest(CANDIDATES, counts.items(), key=itemgetter(1))
        return [need_id for need_id, _ in best], near

    def similar(self, title: str, description: str = "", *, exclude: set[int] | None = None,
                threshold: float = rules.SIMILAR_THRESHOLD) -> list[tuple[int, float]]:
        """(need id, likeness) of the needs like this one, best first."""
        query = self.analyser.profile(title, description[:DESCRIPTION_CHARS])
        if query.empty or not self.entries:
            return []
        extra = self.analyser.forms(query.text)
        candidates, near = self._candidates(query.text, extra, generic_too=False, title=query.title_keys)
        scored = []
        for need_id in candidates:
            if exclude and need_id in exclude:
                continue
            score = rules.likeness(query, self.entries[need_id].profile, near)
            if score >= threshold:
                scored.append((need_id, score))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored

    def search(self, words: str) -> list[tuple[int, float]]:
        """(need id, coverage) of the needs holding these search words, best first."""
        query = self.analyser.tokens(words)
        if not query or not self.entries:
            return []
        extra = self.analyser.forms(query)
        generic_too = all(t.weight < 1.0 for t in query)
        candidates, near = self._candidates(query, extra, generic_too=generic_too)
        scored = []
        for need_id in candidates:
            score = rules.coverage(query, self.entries[need_id].profile, near)
            if score >= rules.SEARCH_THRESHOLD:
                scored.append((need_id, score))
        scored.sort(key=lambda pair: (-pair[1], -pair[0]))
        return scored


@dataclass
class _Area:
    index: AreaIndex
    last_id: int = 0
    first_id: int = 0  # needs up to this id were left out by the bounded build


MAX_NEEDS = 20_000  # the default bound (Settings.similar_max_needs)


class SimilarIndex:
    """Every e-area's index, holding the newest `max_needs` needs in all: an older one is left out
    (and not offered as similar) so memory stays bounded however many years of needs are stored."""

    def __init__(self, lexicon: rules.Lexicon | None = None, max_needs: int = MAX_NEEDS) -> None:
        self.analyser = rules.Analyser(lexicon or load_lexicon())
        self.max_needs = max_needs
        self._areas: dict[int, _Area] = {}
        self._lock = threading.RLock()
        self.building = False  # a background build is under way: lookups do not wait for it

    def learn_built(self, rows: list[tuple[int, int, str, str]]) -> None:
        """The build's first pass over a chunk, (id, e-area, title, description): every word known
        before any need of it is indexed, so compounds split the same way whatever the order."""
        with self._lock:
            for _need_id, _e_area_id, title, description in rows:
                self.analyser.learn(f"{title} {description[:DESCRIPTION_CHARS]}")

    def add_built(self, rows: list[tuple[int, int, str, str]]) -> None:
        """The build's second pass: index these needs (in id order, learned before)."""
        if not rows:
            return
        with self._lock:
            for need_id, e_area_id, title, description in rows:
                self.area(e_area_id).add_learned(need_id, title, description[:DESCRIPTION_CHARS])
            last_id = rows[-1][0]
            for area in self._areas.values():
                area.last_id = max(area.last_id, last_id)
            self._trim()

    def size(self) -> int:
        with self._lock:
            return sum(len(area.index.entries) for area in self._areas.values())

    def _trim(self) -> None:
        """Leave out the oldest needs (lowest ids: each e-area's entries are in the order added)
        until the bound holds. An edited need is re-added, so it counts as new."""
        over = self.size() - self.max_needs
        while over > 0:
            firsts = [(next(iter(a.index.entries)), a.index) for a in self._areas.values() if a.index.entries]
            need_id, index = min(firsts, key=itemgetter(0))
            index.remove(need_id)
            over -= 1

    def start_after(self, first_id: int) -> None:
        """The build reads only the newest needs: the older ones stay out of every e-area."""
        with self._lock:
            self._first_id = first_id
            for area in self._areas.values():
                area.first_id = first_id

    def built(self, last_id: int) -> None:
        """The build has read every need up to last_id: lookups use the index from now on."""
        with self._lock:
            for area in self._areas.values():
                area.last_id = max(area.last_id, last_id)
            self._built_up_to = last_id
            self.building = False

    _built_up_to = 0  # what the background build read: a new e-area's index starts after it
    _first_id = 0  # needs the bounded build left out

    def area(self, e_area_id: int) -> AreaIndex:
        with self._lock:
            found = self._areas.get(e_area_id)
            if found is None:
                found = self._areas[e_area_id] = _Area(AreaIndex(self.analyser), self._built_up_to, self._first_id)
            return found.index

    def refresh(self, session, e_area_id: int) -> AreaIndex:
        """Index the e-area's needs added since the last look (all of them the first time)."""
        with self._lock:
            index = self.area(e_area_id)
            area = self._areas[e_area_id]
            rows = repo.index_rows(session, e_area_id, max(0, area.last_id - LATE_COMMIT_WINDOW))
            new = [row for row in rows if row[0] not in index.entries and row[0] > area.first_id]
            if new:
                index.put_many(new[-self.max_needs:])
                area.last_id = max(area.last_id, max(row[0] for row in new))
                self._trim()
            return index

    def put(self, e_area_id: int, need_id: int, title: str, description: str = "") -> None:
        """A need registered or edited in this process: index it now."""
        with self._lock:
            for other_id, other in self._areas.items():
                if other_id != e_area_id:
                    other.index.remove(need_id)  # moved to another e-area
            self.area(e_area_id).put(need_id, title, description)
            self._trim()

    def search(self, session, e_area_id: int, title: str, description: str, *, limit: int = 3,
               exclude: set[int] | None = None) -> list[tuple[Need, float]]:
        """Up to `limit` joinable needs of the e-area that look like this one, best first, with scores;
        none while the background build runs (the form is not held up by it)."""
        if self.building:
            return []
        with self._lock:
            index = self.refresh(session, e_area_id)
            scored = index.similar(title, description, exclude=exclude)
        fresh = repo.by_ids(session, [need_id for need_id, _score in scored[: limit * 3]])
        joinable = {NeedStatus(s) for s in need_rules.JOINABLE_STATUSES}
        out = []
        for need_id, score in scored[: limit * 3]:
            need = fresh.get(need_id)
            if need is None or need.e_area_id != e_area_id:
                continue
            if self._stale(index, need):
                continue  # edited elsewhere: re-indexed now, judged again on the next lookup
            if NeedStatus(need.status) in joinable:
                out.append((need, score))
            if len(out) == limit:
                break
        return out

    def _stale(self, index: AreaIndex, need: Need) -> bool:
        entry = index.entries.get(need.id)
        description = (need.description or "")[:DESCRIPTION_CHARS]
        if entry is not None and (entry.title, entry.description) == (need.title, description):
            return False
        self.put(need.e_area_id, need.id, need.title, description)
        return True

    def find(self, session, e_area_ids: list[int], words: str, *, limit: int = 10) -> list[tuple[Need, float]]:
        """The needs of these e-areas holding the search words, best first, with their coverage;
        while the background build runs, the needs whose titles hold every word (the database's)."""
        if self.building:
            return [(need, 1.0) for need in repo.title_matches(session, e_area_ids, words_of(words), limit)]
        scored: list[tuple[float, int]] = []
        with self._lock:
            for e_area_id in e_area_ids:
                index = self.refresh(session, e_area_id)
                scored.extend((score, need_id) for need_id, score in index.search(words))
        scored.sort(key=lambda pair: (-pair[0], -pair[1]))
        fresh = repo.by_ids(session, [need_id for _score, need_id in scored[: limit * 2]])
        out = []
        for score, need_id in scored[: limit * 2]:
            need = fresh.get(need_id)
            if need is not None and need.e_area_id in e_area_ids:
                out.append((need, score))
            if len(out) == limit:
                break
        return out


def index_of(services) -> SimilarIndex:
    """One index per running app (services.similar)."""
    found = services.similar
    if found is None:
        found = services.similar = SimilarIndex(load_lexicon(services.settings.synonyms_file),
                                                services.settings.similar_max_needs)
    return found
