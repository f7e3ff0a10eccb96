"""Swedish (and English) words for the similar-need matcher, as pure rules: normalisation,
stemming and derivation, and the word data (synonym groups, known words) built from parsed TOML.

Snowball's Swedish stemmer does the inflections ("avtalen" -> "avtal"); `keys_of` adds the
derivational bases it leaves ("bokning"/"boka" -> "bok", "registrering"/"registrera" -> "registr").
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

STOPWORDS = frozenset("""
vi jag ni de den det detta denna dessa en ett och att som för på i av till med om från är har
behöver behov behovet behoven skulle vill kunna ska kan ny nytt nya mer bättre få vara blir bli
ha hade hos via utan eller men också även så sin sitt sina vår vårt våra er ert era deras hans
hennes dess man alla allt flera olika någon något några inte ej under över efter innan när där
här hur vad vem vilken vilka varför mycket mest mindre kunde skall måste önskar önskemål gärna
samt både bara redan sedan nu idag fortfarande finns finnas göra gör görs sätt form del typ
möjlighet möjligt möjliggöra ut in upp fram bort två tre ex t.ex etc osv enligt inom mellan
stor stora större störst liten lilla små mindre hel hela egen eget egna viktig viktiga snabb
snabbt snabbare många fler flest annan annat andra se ser vilja
the a an and of for to in on with we need needs our is be new better more from at by as or it its
this that these those can could should would want wants like able have has get use via into so
also all any some than then there their they them us i you your me my not no way
""".split())

# Swedish inflectional endings (and a few English): a listed word plus one of these is that word.
ENDINGS = frozenset("""
s n t a e en et er ar or na ns es as at ad de te ts ens ets ers ars ors erna arna orna rna ade ades
ande ende are arna arnas ernas ornas ens ena ets ats ing ings ed
""".split()) | {""}

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a", "ø": "o"})
_VERB_ENDINGS = ("era", "erar", "erade", "erat", "eras", "erad", "erades", "erats")
_lock = threading.Lock()
_stemmers = {"sv": snowballstemmer.stemmer("swedish"), "en": snowballstemmer.stemmer("english")}


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str = "sv") -> str:
    with _lock:  # a Snowball stemmer object is not safe to share between threads
        return _stemmers[lang].stemWord(word)


def fold(text: str) -> str:
    return text.translate(_FOLD)


def common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


@lru_cache(maxsize=200_000)
def keys_of(word: str) -> tuple[str, ...]:
    """The stem and its derivational bases, most reduced first ("bokning" -> bok, bokn, bokning)."""
    base = stem(word)
    keys = [base]

    def add(key: str, minimum: int = 3) -> None:
        if len(key) >= minimum and key not in keys:
            keys.append(key)

    if base.endswith("ering"):
        add(base[:-5])
        add(base[:-3])
    elif base.endswith("ning"):
        add(base[:-4])
        add(base[:-3])
    elif base.endswith("ing"):
        add(base[:-3])
    elif base.endswith("ation"):  # English "registration" meets Swedish "registrering"
        add(base[:-5], 4)
    if word.endswith(_VERB_ENDINGS) and base.endswith("er"):
        add(base[:-2])
    for key in list(keys):
        if key.endswith("isk"):
            add(key[:-3], 4)  # "automatisk" meets "automatisera"
        elif key.endswith("is") and ("iser" in word):
            add(key[:-2], 4)
    return tuple(sorted(keys, key=len))


def words_of(text: str) -> list[str]:
    """Casefolded words (hyphenated ones kept together), in order."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


@dataclass(frozen=True)
class Lexicon:
    """The word data: synonym groups, generic groups, words never split, known words."""

    groups: Mapping[str, frozenset[str]]  # a member -> group names
    phrases: Mapping[str, tuple[tuple[tuple[str, ...], frozenset[str]], ...]]  # first stem -> (stems, groups)
    stems: Mapping[str, tuple[tuple[str, str], ...]]  # a member's stem -> (member, group name)
    english: Mapping[str, frozenset[str]]  # a member's English stem -> group names
    generic: frozenset[str]
    whole: frozenset[str]
    words: frozenset[str]


def build_lexicon(synonyms: Mapping, vocabulary: Mapping, extra: Iterable[Mapping] = ()) -> Lexicon:
    """From parsed TOML: bot/rules/synonyms.toml, bot/rules/vocabulary.toml, an organisation's file.

    An extra file's group extends the shipped group of the same name."""
    members: dict[str, set[str]] = {}
    generic: set[str] = set()
    for source in (synonyms, *extra):
        for name, words in (source.get("groups") or {}).items():
            members.setdefault(str(name), set()).update(
                " ".join(str(w).casefold().replace("-", "").split()) for w in words)
        generic.update(str(g) for g in (source.get("weights") or {}).get("generic", ()))
    groups: dict[str, set[str]] = {}
    stems: dict[str, set[tuple[str, str]]] = {}
    english: dict[str, set[str]] = {}
    phrases: dict[tuple[str, ...], set[str]] = {}
    for name, words in members.items():
        for word in words:
            if " " in word:  # "skriva under": matched word by word, particles included
                phrases.setdefault(tuple(stem(w) for w in word.split()), set()).add(name)
                continue
            groups.setdefault(word, set()).add(name)
            if word.endswith("ium"):  # "laboratoriet", "diarier": Latin words inflect on the root
                groups.setdefault(word[:-2], set()).add(name)
            stems.setdefault(stem(word), set()).add((word, name))
            english.setdefault(stem(word, "en"), set()).add(name)
    known = {str(w).casefold() for w in vocabulary.get("words", ())}
    known.update(w for words in members.values() for w in words if len(w) >= 3 and " " not in w)
    by_first: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
    for stems_, names in sorted(phrases.items(), key=lambda item: -len(item[0])):
        by_first.setdefault(stems_[0], []).append((stems_, frozenset(names)))
    whole = {str(w).casefold() for w in vocabulary.get("whole", ())}
    return Lexicon({k: frozenset(v) for k, v in groups.items()}, {k: tuple(v) for k, v in by_first.items()},
                   {k: tuple(sorted(v)) for k, v in stems.items()},
                   {k: frozenset(v) for k, v in english.items()},
                   frozenset(generic), frozenset(whole | {stem(w) for w in whole}), frozenset(known | whole))
