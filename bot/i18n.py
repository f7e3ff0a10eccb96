"""Localisation: gettext catalogues per language, read from the .po files at start.

Every `.po` file under `bot/locale/<lang>/LC_MESSAGES/` is merged into that language's
catalogue, so each feature keeps its own file. msgids are English; Swedish is the default.

    t = translator("sv")
    t("Hi {name}, I am Styra!", name="Alex")              # gettext, then str.format
    t.n("{n} open need", "{n} open needs", count)         # ngettext, formatted with n=count
    t.n("{n} need in {area}", "{n} needs in {area}", count, area="Lärosäte")

`t.n` picks the form by the catalogue's Plural-Forms header (in English: singular for 1) and
always formats, so its msgids must not contain other literal braces. In the .po file:

    msgid "{n} open need"
    msgid_plural "{n} open needs"
    msgstr[0] "{n} öppet behov"
    msgstr[1] "{n} öppna behov"

Why no Babel and no compiled .mo files: the .po files are parsed here with the standard library
(`read_po`, a small reader of the PO format in UTF-8) and handed to gettext.GNUTranslations as
an in-memory .mo. Babel 2.9 (the version botbuilder-dialogs pins) imports `cgi`, which Python
3.13 removed; committed .mo files would be binaries that conflict whenever two branches add
strings, and a build step would leave `python -m pytest` reading stale ones. Parsing ~600
entries takes a few milliseconds, once per language.
"""

from __future__ import annotations

import ast
import io
import re
import struct
from dataclasses import dataclass
from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"


def language_of(locale: str | None) -> str | None:
    """'sv-SE' -> 'sv', 'en-us' -> 'en'; None for a language Styra does not speak."""
    if not locale:
        return None
    lang = locale.replace("_", "-").split("-")[0].lower()
    return lang if lang in LANGUAGES else None


def choose_language(chosen: str | None, client: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """A language the user chose beats the client's locale, which beats the default."""
    return language_of(chosen) or language_of(client) or language_of(default) or DEFAULT_LANGUAGE


@dataclass(frozen=True)
class PoEntry:
    """One message of a .po file; `msgstr` has one text, or one per plural form."""

    msgid: str
    msgstr: tuple[str, ...]
    plural: str | None = None
    context: str | None = None
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return not self.fuzzy and all(self.msgstr)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def read_po(path: Path) -> list[PoEntry]:
    """The entries of a UTF-8 .po file, header (msgid "") included; obsolete (#~) ones left out."""
    entries: list[PoEntry] = []
    fields: dict[str, str] = {}
    forms: dict[int, str] = {}
    fuzzy = False
    last: str | None = None

    def flush() -> None:
        nonlocal fuzzy, last
        if "msgid" in fields:
            strings = tuple(forms[i] for i in sorted(forms)) or (fields.get("msgstr", ""),)
            entries.append(PoEntry(fields["msgid"], strings, fields.get("msgid_plural"),
                                   fields.get("msgctxt"), fuzzy))
        elif fields or forms:
            raise ValueError(f"{path}: an entry without msgid before line {lineno}")
        fields.clear()
        forms.clear()
        fuzzy, last = False, None

    lineno = 0
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line[2:].replace(",", " ").split():
                if fields:
                    flush()
                fuzzy = True
            elif not line and fields:
                flush()
            continue
        match = _KEYWORD.match(line)
        try:
            if match:
                keyword, index, text = match.groups()
                if keyword in ("msgctxt", "msgid") and ("msgstr" in fields or forms):
                    flush()
                if index is not None:
                    last = f"msgstr[{index}]"
                    forms[int(index)] = _unquote(text)
                else:
                    last = keyword
                    fields[keyword] = _unquote(text)
            elif line.startswith('"') and last is not None:
                if last.startswith("msgstr["):
                    forms[int(last[7:-1])] += _unquote(line)
                else:
                    fields[last] += _unquote(line)
            else:
                raise ValueError("not a PO line")
        except (ValueError, SyntaxError) as err:
            raise ValueError(f"{path}:{lineno}: cannot read {raw!r} ({err})") from None
    flush()
    return entries


def _unquote(text: str) -> str:
    """A PO string literal to its text; the escapes (\\n, \\", \\\\, \\t …) are C's, as Python's."""
    value = ast.literal_eval(text)
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _mo(messages: dict[str, str]) -> bytes:
    """The GNU .mo image of msgid -> msgstr (keys already joined for plurals and contexts)."""
    keys = sorted(messages)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(messages[k].encode() + b"\0" for k in keys)
    table_start = 7 * 4
    ids_start = table_start + 16 * len(keys)
    strs_start = ids_start + len(ids)
    key_table, value_table = [], []
    id_at = str_at = 0
    for k in keys:
        kb, vb = k.encode(), messages[k].encode()
        key_table += [len(kb), ids_start + id_at]
        value_table += [len(vb), strs_start + str_at]
        id_at += len(kb) + 1
        str_at += len(vb) + 1
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), table_start,
                         table_start + 8 * len(keys), 0, 0)
    return header + struct.pack(f"<{len(key_table) * 2}I", *key_table, *value_table) + ids + strs


def load(directory: Path) -> NullTranslations:
    """Every .po in `directory` merged (a later file wins); untranslated and fuzzy entries skipped.

    The header (Plural-Forms, charset) comes from the first file that has one."""
    messages: dict[str, str] = {}
    for po in sorted(directory.glob("*.po")):
        for entry in read_po(po):
            if entry.msgid == "" and entry.context is None:
                messages.setdefault("", entry.msgstr[0])
                continue
            if not entry.translated:
                continue
            key = entry.msgid if entry.plural is None else f"{entry.msgid}\0{entry.plural}"
            if entry.context is not None:
                key = f"{entry.context}\x04{key}"
            messages[key] = "\0".join(entry.msgstr)
    if not messages:
        return NullTranslations()
    messages.setdefault("", "Content-Type: text/plain; charset=UTF-8\n")
    return GNUTranslations(io.BytesIO(_mo(messages)))


@cache
def _translations(lang: str) -> NullTranslations:
    return load(LOCALE_DIR / lang / "LC_MESSAGES")


@dataclass(frozen=True)
class Translator:
    lang: str

    def gettext(self, message: str) -> str:
        return _translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _translations(self.lang).ngettext(singular, plural, n)

    def n(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The form for `n`, formatted with n and the values."""
        return self.ngettext(singular, plural, n).format(n=n, **values)

    def __call__(self, message: str, **values: object) -> str:
        text = self.gettext(message)
        return text.format(**values) if values else text


def area_name(area: object, lang: str | Translator | None) -> str:
    """An e-area's name in the reader's language: its English name for an English reader when
    it has one, else its (Swedish) name. `area` is anything with `name` and `name_en` (an EArea,
    a report line) or a `(name, name_en)` pair. The one place that chooses; call it wherever an
    e-area's name is shown to someone."""
    if isinstance(area, tuple):
        name, name_en = area
    else:
        name, name_en = area.name, getattr(area, "name_en", None)
    code = lang.lang if isinstance(lang, Translator) else language_of(lang)
    return (name_en or name) if code == "en" else name


def translator(lang: str | None) -> Translator:
    return Translator(language_of(lang) or DEFAULT_LANGUAGE)


def preload() -> None:
    for lang in LANGUAGES:
        _translations(lang)
