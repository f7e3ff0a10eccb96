"""Similar needs, as pure rules: Swedish-aware text analysis and a likeness score.

A need's text becomes a set of tokens, one per meaningful word or compound part:
- keys: the Snowball stem and its derivational bases, so inflected and derived forms meet
  ("bokningar"/"boka" -> "bok", "registrering"/"registrera" -> "registr");
- concepts: the keys plus the synonym groups of the word ("avtal"/"kontrakt", "e"/"digital");
- weight: 1, or GENERIC for words about the form of a solution ("system", "app", "digital").
Compounds are split into known words ("bokningssystem" -> "bokning" + "system", "labbsalar" ->
"labb" + "salar"); the known words are a shipped vocabulary plus every word of the registered
needs (Analyser.learn). Tokens that do not share a concept can still be near: the same word with
å/ä/ö typed as a/o, one word a compound part of the other ("labb" in "labbsal"), or one typo.

Likeness is a weighted Dice coefficient over the tokens (word order never matters), taken on the
titles, on title + description, and as "one title contained in the other text", whichever is
highest. No I/O: the word data arrive as parsed TOML (bot/rules/lexicon.py, read by bot/similar.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.rules.lexicon import (  # noqa: F401  (re-exported: the matcher's vocabulary in one place)
    ENDINGS,
    STOPWORDS,
    Lexicon,
    build_lexicon,
    common_prefix,
    fold,
    keys_of,
    stem,
    words_of,
)

SIMILAR_THRESHOLD = 63.0  # offer a stored need at or above this likeness (0-100)
SEARCH_THRESHOLD = 60.0  # share of the search words found in a need, 0-100
GENERIC = 0.35  # weight of a word about the form of a solution
NEAR_FOLDED = 0.9  # the same word but for å/ä/ö
NEAR = 0.8  # one typo away
PART = 0.5  # a compound part of the other word ("labb" in "labbsalar"): half of it

# Particles that start Swedish compounds made from particle verbs: "skicka ut" -> "utskick".
PARTICLES = ("upp", "ut", "in")
MIN_SPLIT = 6  # shorter words are not tried as compounds
MIN_LEARNED_PART = 4  # a compound part learned from the needs (shipped words may be shorter)


@dataclass(frozen=True, slots=True)
class Token:
    key: str  # the most reduced key
    word: str  # the word or compound part, diacritics folded: what "near" compares
    concepts: frozenset[str]  # keys and "~group" names: tokens sharing one are the same word
    weight: float


@dataclass(frozen=True)
class Profile:
    """A need as the matcher sees it."""

    title: tuple[Token, ...]
    text: tuple[Token, ...]  # title and description together
    described: bool
    title_concepts: frozenset[str] = field(init=False)
    text_concepts: frozenset[str] = field(init=False)
    title_keys: frozenset[str] = field(init=False)
    text_keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "title_concepts", frozenset(c for t in self.title for c in t.concepts))
        set_(self, "text_concepts", frozenset(c for t in self.text for c in t.concepts))
        set_(self, "title_keys", frozenset(t.key for t in self.title))
        set_(self, "text_keys", frozenset(t.key for t in self.text))

    @property
    def empty(self) -> bool:
        return not self.text


class Analyser:
    """Turns text into tokens, knowing the shipped words and those of the needs it has learned."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._known: set[str] = set()  # folded stems of known words
        self._short: set[str] = set()  # ... of which shipped words shorter than MIN_LEARNED_PART
        self._cache: dict[str, tuple[Token, ...]] = {}
        self._learned: set[str] = set()  # words learn() has seen: knowing a word twice changes nothing
        for word in lexicon.words:
            self._know(word, shipped=True)

    def _know(self, word: str, *, shipped: bool = False) -> bool:
        # the stem is kept whatever its length: a longer part may stem to it ("byten" -> "byt")
        forms = {fold(word), fold(stem(word)), *(fold(k) for k in keys_of(word) if len(k) >= MIN_LEARNED_PART)}
        if len(word) < MIN_LEARNED_PART:
            if not shipped:
                return False
            self._short.update(forms)
        new = not forms <= self._known
        self._known.update(forms)
        return new

    def learn(self, text: str) -> None:
        """Add a need's words to the known words, so compounds of them can be split."""
        new = False
        learned = self._learned
        for word in words_of(text):
            if word in learned:
                continue
            learned.add(word)
            for part in word.split("-"):
                if part not in STOPWORDS and not part.isdigit():
                    new = self._know(part) or new
        if new:
            self._cache = {}  # a newly known word may split words analysed before

    def known(self, part: str) -> bool:
        if len(part) < 3:
            return False
        pool = self._short if len(part) < MIN_LEARNED_PART else self._known
        return fold(part) in pool or fold(stem(part)) in pool

    # --- tokens --------------------------------------------------------------------------------

    def tokens(self, text: str) -> tuple[Token, ...]:
        seen: dict[str, Token] = {}
        words = words_of(text)
        phrases = self.lexicon.phrases
        i = 0
        while i < len(words):
            phrase = self._phrase(words, i) if phrases and stem(words[i]) in phrases else None
            if phrase is not None:
                length, token = phrase
                seen.setdefault(token.key, token)
                i += length
                continue
            for token in self._word(words[i]):
                seen.setdefault(token.key, token)
            i += 1
        return tuple(seen.values())

    def _phrase(self, words: list[str], i: int) -> tuple[int, Token] | None:
        for stems_, groups in self.lexicon.phrases[stem(words[i])]:
            if tuple(stem(w) for w in words[i: i + len(stems_)]) == stems_:
                joined = "".join(stems_)
                generic = GENERIC if groups <= self.lexicon.generic else 1.0
                return len(stems_), Token(joined, fold(joined), frozenset("~" + g for g in groups), generic)
        return None

    def profile(self, title: str, description: str = "") -> Profile:
        title_tokens = self.tokens(title)
        text = dict.fromkeys(title_tokens)
        text.update(dict.fromkeys(t for t in self.tokens(description) if t not in text))
        return Profile(title_tokens, tuple(text), bool(description.strip()))

    def _word(self, word: str) -> tuple[Token, ...]:
        found = self._cache.get(word)
        if found is None:
            found = self._analyse(word)
            if len(self._cache) < 200_000:
                self._cache[word] = found
        return found

    def _analyse(self, word: str, depth: int = 0) -> tuple[Token, ...]:
        if word in STOPWORDS or word.isdigit():
            return ()
        if "-" in word:
            joined = word.replace("-", "")
            if self._groups(joined):  # listed whole: "e-post"
                return self._analyse(joined, depth)
            return tuple(t for part in word.split("-") for t in self._analyse(part, depth))
        groups = self._groups(word)
        if len(word) < 3 and not groups:
            return ()
        if not groups and depth < 3 and len(word) >= MIN_SPLIT and word not in self.lexicon.whole \
                and stem(word) not in self.lexicon.whole:
            parts = self._split(word)
            if parts:
                return tuple(t for part in parts for t in self._analyse(part, depth + 1))
        return (self._token(word, groups),)

    def _groups(self, word: str) -> frozenset[str]:
        """The synonym groups of a word: listed as it is, or an inflection of a listed word.

        A shared stem alone is not enough ("datorer" and "data" both stem to "dat"): the word must
        be a listed word plus an ending, or share all but the last letter of it ("lärarna")."""
        lex = self.lexicon
        found = lex.groups.get(word)
        if found is not None:
            return found
        for cut in range(len(word) - 1, max(2, len(word) - 6), -1):
            if word[cut:] in ENDINGS and word[:cut] in lex.groups:
                return lex.groups[word[:cut]]
        found = frozenset(name for member, name in lex.stems.get(stem(word), ())
                          if len(common_prefix(word, member)) >= len(member) - 1)
        return found or lex.english.get(stem(word, "en"), frozenset())

    def _token(self, word: str, groups: frozenset[str]) -> Token:
        # A listed word is its groups only: its stem may be another word's ("dator"/"data": "dat").
        keys = keys_of(word)
        generic = bool(groups) and groups <= self.lexicon.generic
        if groups:
            concepts = frozenset("~" + g for g in groups) | {k for k in keys if len(k) >= 4}
        else:
            concepts = frozenset(keys)
        return Token(keys[0], fold(word), concepts, GENERIC if generic else 1.0)

    def _split(self, word: str) -> list[str] | None:
        """The fewest known parts that make up the word, linking s dropped; None if none do."""
        n = len(word)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for end in range(3, n + 1):
            for start in range(0, end - 2):
                head = best[start]
                if head is None or (start == 0 and end == n):
                    continue
                part = word[start:end]
                last = end == n
                if start == 0 and part in PARTICLES and n - end >= MIN_LEARNED_PART:
                    candidate = [*head, part]
                elif self.known(part) or (not last and part.endswith("s") and self.known(part[:-1])):
                    candidate = [*head, part if last or self.known(part) else part[:-1]]
                else:
                    continue
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
        parts = best[n]
        return parts if parts and len(parts) >= 2 else None

    # --- nearness ------------------------------------------------------------------------------

    def near(self, a: Token, b: Token, extra: frozenset[str] = frozenset()) -> float:
        """How close two tokens are that share no concept: 0, PART, NEAR or NEAR_FOLDED.

        `extra` are more known words (folded): those of the other need, when matching."""
        if fold(a.key) == fold(b.key):
            return NEAR_FOLDED if a.key != b.key else 0.0
        short, long = (a, b) if len(a.word) <= len(b.word) else (b, a)
        for piece in {short.word, fold(short.key)}:
            if len(piece) < 4 or len(long.word) - len(piece) < 3:
                continue
            at = long.word.find(piece)
            if at == 0 and self._rest(long.word[len(piece):].removeprefix("s"), extra):
                return PART  # a compound's first part: "labb" in "labbsalar"
            if at > 0 and long.word[at + len(piece):] in ENDINGS \
                    and self._rest(long.word[:at].removesuffix("s"), extra):
                return PART  # its last part: "register" in "kompetensregistret"
        if len(short.word) >= 6 and fuzz.ratio(fold(a.key), fold(b.key)) >= 88:
            return NEAR  # a typo
        return 0.0

    def _rest(self, rest: str, extra: frozenset[str]) -> bool:
        if len(rest) < 3:
            return False
        if rest in extra or rest in self._known:
            return True
        root = fold(stem(rest))
        return root in extra or root in self._known or any(rest.startswith(k) and k in extra for k in (rest[:-1], rest[:-2]))

    def forms(self, tokens: Iterable[Token]) -> frozenset[str]:
        """Folded words and stems of tokens: what `near` may take as known in the other need."""
        return frozenset(f for t in tokens for f in (t.word, fold(t.key)))

    def near_map(self, left: Iterable[Token], right: Iterable[Token],
                 extra: frozenset[str] = frozenset()) -> dict[str, dict[str, float]]:
        """Every near pair between two token sets, by key, both ways (for `likeness`)."""
        out: dict[str, dict[str, float]] = {}
        right = list(right)
        for a in left:
            for b in right:
                if a.key != b.key and not a.concepts & b.concepts:
                    credit = self.near(a, b, extra)
                    if credit:
                        out.setdefault(a.key, {})[b.key] = credit
                        out.setdefault(b.key, {})[a.key] = credit
        return out


# --- scoring -------------------------------------------------------------------------------------

_NONE: dict[str, float] = {}


def _side(tokens: tuple[Token, ...], concepts: frozenset[str], keys: frozenset[str],
          near: Mapping[str, Mapping[str, float]]) -> tuple[float, float, float, bool]:
    """(matched weight, total weight, matched specific weight, has specific words) of one side."""
    matched = total = specific = 0.0
    has_specific = False
    for token in tokens:
        total += token.weight
        if token.concepts & concepts:
            credit = 1.0
        else:
            credit = 0.0
            for other, value in near.get(token.key, _NONE).items():
                if value > credit and other in keys:
                    credit = value
        matched += token.weight * credit
        if token.weight == 1.0:
            has_specific = True
            specific += credit
    return matched, total, specific, has_specific


def _dice(a: tuple[Token, ...], a_concepts, a_keys, b: tuple[Token, ...], b_concepts, b_keys, near) -> float:
    ma, wa, sa, ha = _side(a, b_concepts, b_keys, near)
    mb, wb, sb, hb = _side(b, a_concepts, a_keys, near)
    if not wa or not wb or ((ha or hb) and not (sa and sb)):
        return 0.0  # sharing only words like "system" or "digital" is not the same need
    return (ma + mb) / (wa + wb)


def _contained(a: tuple[Token, ...], b_concepts, b_keys, near) -> float:
    """Share of a title found in the other need's whole text; needs two specific words at least."""
    matched, total, specific, _ = _side(a, b_concepts, b_keys, near)
    return matched / total if total and specific >= 1.6 else 0.0


def likeness(query: Profile, entry: Profile, near: Mapping[str, Mapping[str, float]]) -> float:
    """0-100: how alike a new need is to a stored one. `near` maps key -> {near key: credit}."""
    if query.empty or entry.empty:
        return 0.0
    best = _dice(query.title, query.title_concepts, query.title_keys,
                 entry.title, entry.title_concepts, entry.title_keys, near)
    if query.described or entry.described:
        best = max(best, 0.9 * _dice(query.text, query.text_concepts, query.text_keys,
                                     entry.text, entry.text_concepts, entry.text_keys, near))
    best = max(best, 0.85 * _contained(query.title, entry.text_concepts, entry.text_keys, near),
               0.85 * _contained(entry.title, query.text_concepts, query.text_keys, near))
    return round(100.0 * best, 1)


def coverage(words: tuple[Token, ...], entry: Profile, near: Mapping[str, Mapping[str, float]]) -> float:
    """0-100: how much of a search (its tokens) a need's text holds; a title hit counts a bit more."""
    if not words or entry.empty:
        return 0.0
    matched, total, specific, has_specific = _side(words, entry.text_concepts, entry.text_keys, near)
    if has_specific and not specific:
        return 0.0
    in_title, _, _, _ = _side(words, entry.title_concepts, entry.title_keys, near)
    return round(100.0 * (0.8 * matched + 0.2 * in_title) / total, 1)


def score(analyser: Analyser, first: tuple[str, str], second: tuple[str, str]) -> float:
    """The likeness of two needs given as (title, description): a registered one and a new one."""
    a, b = analyser.profile(*second), analyser.profile(*first)
    extra = analyser.forms(a.text) | analyser.forms(b.text)
    return likeness(a, b, analyser.near_map(a.text, b.text, extra))
