"""Commands every conversation has: help, cancel, language, linking channels and roles."""

from __future__ import annotations

import logging
import re

from pydantic import field_validator

from bot import actions, commands
from bot.actions import CardAction, action, handles
from bot.commands import Where, command
from bot.roles import can, is_admin
from bot.rules.permissions import Permission
from bot.turn import Turn
from cards.common import escape
from cards.system import HELP_TOPICS, help_card, help_topic_card, message_card
from storage import org
from storage.models import PORTFOLIO_ROLES, ChannelPurpose, Role

log = logging.getLogger("styra.commands")

HELP = re.compile(r"^(hjälp|help|\?|hjalp)$")
CANCEL = re.compile(r"^(avbryt|cancel|stopp|stop|avsluta|quit)$")

LANGUAGE_WORDS = {
    "sv": "sv", "svenska": "sv", "swedish": "sv", "svensk": "sv",
    "en": "en", "engelska": "en", "english": "en", "engelsk": "en",
}

ROLE_WORDS = {
    "koordinator": Role.coordinator, "coordinator": Role.coordinator,
    "områdesansvarig": Role.area_owner, "area_owner": Role.area_owner, "owner": Role.area_owner,
    "ordförande": Role.chair, "chair": Role.chair,
    "vice_ordförande": Role.deputy_chair, "deputy_chair": Role.deputy_chair, "deputy": Role.deputy_chair,
    "ledamot": Role.member, "member": Role.member,
    "portföljkontor": Role.portfolio_office, "portfolio_office": Role.portfolio_office,
    "portföljordförande": Role.portfolio_chair, "portfolio_chair": Role.portfolio_chair,
}


def role_label(t, role: Role) -> str:
    return {
        Role.coordinator: t("coordinator"),
        Role.area_owner: t("area owner"),
        Role.chair: t("chair"),
        Role.deputy_chair: t("deputy chair"),
        Role.member: t("member"),
        Role.portfolio_office: t("portfolio office"),
        Role.portfolio_chair: t("portfolio management chair"),
    }[role]


async def interrupt(turn: Turn) -> bool:
    """Help and cancel work at any point, also in the middle of a guided dialog."""
    text = turn.text.casefold().strip(" .!")
    if HELP.match(text):
        await turn.send_card(help_card(turn.t))
        return True
    if CANCEL.match(text):
        dc = turn.dialogs
        if dc is not None and dc.active_dialog is not None:
            await dc.cancel_all_dialogs()
            await turn.say(turn.t("Cancelled. Nothing more was saved. Type **help** when you want to go on."))
        else:
            await turn.say(turn.t("There is nothing to cancel right now."))
        return True
    return False


async def unknown(turn: Turn) -> None:
    ideas = commands.suggest(turn.text)
    if ideas:
        listed = ", ".join(f"**{idea}**" for idea in ideas)
        await turn.say(turn.t("I did not understand that. Did you mean {ideas}? Type **help** to see everything I can do.", ideas=listed))
    else:
        await turn.say(turn.t("I did not understand that. Type **help** to see what I can do, or **new need** to register a need."))


# --- help topics --------------------------------------------------------------------------


@action("help.topic")
class HelpTopic(CardAction):
    topic: str = "overview"

    @field_validator("topic")
    @classmethod
    def _known(cls, value: str) -> str:
        return value if value in (*HELP_TOPICS, "overview") else "overview"


@handles(HelpTopic)
async def show_help_topic(turn: Turn, act: HelpTopic):
    card = help_topic_card(turn.t, act.topic)
    if turn.is_invoke:
        return card
    await turn.send_card(card)
    return None


# --- language -----------------------------------------------------------------------------


@action("language.set")
class SetLanguage(CardAction):
    lang: str

    @field_validator("lang")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in ("sv", "en"):
            raise ValueError("unsupported language")
        return value


async def _set_language(turn: Turn, lang: str) -> None:
    def store(session):
        person = org.person(session, turn.speaker.aad_id)
        if person is not None:
            person.locale = lang

    await turn.db.run(store)
    from bot.i18n import translator

    turn.t = translator(lang)
    await turn.say(turn.t("Done. I will speak English with you from now on.") if lang == "en"
                   else turn.t("Done. I will speak Swedish with you from now on."))


@handles(SetLanguage)
async def on_set_language(turn: Turn, act: SetLanguage):
    await _set_language(turn, act.lang)


@command("language", r"(?:språk|language|lang)(?: (?P<lang>\S+))?", where=Where.personal,
         examples=("språk engelska", "language swedish"))
async def language_command(turn: Turn, match: re.Match) -> None:
    word = (match.group("lang") or "").strip()
    if not word:
        await turn.dialogs.begin_dialog("language")
        return
    lang = LANGUAGE_WORDS.get(word)
    if lang is None:
        await turn.say(turn.t("I speak Swedish and English. Write **language english** or **språk svenska**."))
        return
    await _set_language(turn, lang)


@command("help", r"(?:hjälp|help)", examples=("hjälp", "help"))
async def help_command(turn: Turn, match: re.Match) -> None:
    await turn.send_card(help_card(turn.t))


# --- linking channels ---------------------------------------------------------------------


@command("link", r"(?:koppla|link)(?: (?P<area>.+))?", examples=("koppla utbildning", "link education"))
async def link_command(turn: Turn, match: re.Match) -> None:
    t = turn.t
    if not turn.in_channel:
        await turn.say(t("Linking is done in the channel itself: write **@Styra link <e-area>** in the steering group's channel."))
        return
    if not is_admin(turn.settings, turn.speaker.aad_id):
        await turn.say(t("Only an administrator can link a channel. Ask one of Styra's administrators."))
        return
    wanted = (match.group("area") or "").strip()
    if not wanted:
        await turn.say(t("Which e-area? Write **@Styra link <e-area>**, for example **@Styra link utbildning**."))
        return
    from bot.handler import conversation_ref_of

    ref = conversation_ref_of(turn.activity)
    portfolio = wanted.casefold() in ("portfölj", "portfolio", "portföljen", "portföljledning", "portfolio management")

    def store(session):
        area = None if portfolio else org.find_e_area(session, wanted)
        if area is None and not portfolio:
            return None, [a.name for a in org.e_areas(session)]
        purpose = ChannelPurpose.portfolio if portfolio else ChannelPurpose.steering
        org.save_conversation(session, ref)
        org.link_channel(session, purpose, area, ref.conversation_id, turn.speaker.aad_id)
        return (area.name if area else None), None

    name, known = await turn.db.run(store)
    if known is not None:
        await turn.say(t("I do not know an e-area called \"{name}\". Known e-areas: {known}.",
                         name=escape(wanted), known=", ".join(known) or "–"))
        return
    if name is None:
        await turn.say(t("This channel is now the portfolio management channel. Escalated decisions will be posted here."))
    else:
        await turn.say(t("This channel is now the steering-group channel of {area}. Reminders and decisions will be posted here.", area=name))


# --- roles --------------------------------------------------------------------------------


@command("roles", r"(?:roller|roles)(?: (?P<area>.+))?", examples=("roller", "roles"))
async def roles_command(turn: Turn, match: re.Match) -> None:
    t = turn.t

    rows = await turn.db.run(org.role_rows)
    if not rows:
        await turn.say(t("No roles are granted yet."))
        return
    lines = [f"{escape(area or t('Portfolio'))} – {role_label(t, role)}: {escape(name or aad)}"
             for _scope, area, role, aad, name in rows]
    await turn.send_card(message_card(t("Roles"), ["\n".join(f"- {line}" for line in lines[:80])]))


@command(
    "role",
    r"(?:roll|role) (?P<op>ge|add|grant|ta bort|remove|revoke) (?P<role>\S+)(?: (?P<area>\S+))? (?P<who>.+)",
    examples=("roll ge koordinator utbildning", "role add coordinator education"),
)
async def role_command(turn: Turn, match: re.Match) -> None:
    t = turn.t
    if not can_manage_roles(turn):
        await turn.say(t("Only an administrator can grant or revoke roles."))
        return
    role = ROLE_WORDS.get(match.group("role"))
    if role is None:
        await turn.say(t("Unknown role. Roles: coordinator, area_owner, chair, deputy_chair, member, portfolio_office, portfolio_chair."))
        return
    granting = match.group("op") in ("ge", "add", "grant")
    area_word, who = match.group("area"), match.group("who").strip()
    if role in PORTFOLIO_ROLES and area_word:
        who = f"{area_word} {who}"
        area_word = None
    mention = _mentioned(turn)
    outcome = await turn.db.run(change_role, role, area_word, mention or who, granting, turn.speaker.aad_id)
    await turn.say(outcome_text(t, outcome, role, granting))


def can_manage_roles(turn: Turn) -> bool:
    return is_admin(turn.settings, turn.speaker.aad_id)


def _mentioned(turn: Turn) -> str | None:
    """An @mentioned person's AAD id when Teams sent one (channels resolve it for us)."""
    for entity in turn.activity.entities or []:
        props = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned") or {}
        aad = mentioned.get("aadObjectId")
        if entity.type == "mention" and aad and mentioned.get("id") != turn.activity.recipient.id:
            return aad
    return None


def change_role(session, role: Role, area_word: str | None, who: str, granting: bool, by: str) -> tuple[str, str]:
    """Used by chat and by `styra roles`; returns (outcome, detail)."""
    area = None
    if role not in PORTFOLIO_ROLES:
        if not area_word:
            return "no_area", ""
        area = org.find_e_area(session, area_word)
        if area is None:
            return "unknown_area", area_word
    people = org.find_people(session, who)
    if len(people) != 1:
        return ("ambiguous" if people else "unknown_person"), who
    target = people[0]
    changed = (org.grant if granting else lambda s, a, i, r, b: org.revoke(s, a, i, r))(
        session, area, target.aad_id, role, by
    )
    where = area.name if area else "portfolio"
    return ("changed" if changed else "unchanged"), f"{target.name or target.aad_id}|{where}"


def outcome_text(t, outcome: tuple[str, str], role: Role, granting: bool) -> str:
    kind, detail = outcome
    if kind == "no_area":
        return t("Name the e-area too, for example **role add coordinator utbildning Anna Berg**.")
    if kind == "unknown_area":
        return t("I do not know an e-area called \"{name}\".", name=escape(detail))
    if kind == "unknown_person":
        return t("I do not know anyone called \"{name}\". Use their exact name as shown in Teams, or their Azure AD object id. People become known to me when they first write to me.", name=escape(detail))
    if kind == "ambiguous":
        return t("Several people are called \"{name}\". Use their Azure AD object id instead.", name=escape(detail))
    name, where = detail.split("|", 1)
    label = role_label(t, role)
    if kind == "unchanged":
        return t("{name} already has that role.", name=escape(name)) if granting else t("{name} did not have that role.", name=escape(name))
    if granting:
        return t("{name} is now {role} in {area}.", name=escape(name), role=label, area=escape(where))
    return t("{name} is no longer {role} in {area}.", name=escape(name), role=label, area=escape(where))


def permission_refusal(turn: Turn, permission: Permission, scope: str, names: list[str]) -> str:
    t = turn.t
    if names:
        return t("You cannot do that here. Ask {names}.", names=", ".join(escape(n) for n in names))
    return t("You cannot do that here, and nobody holds that role yet. Ask an administrator.")


__all__ = ["actions", "can", "interrupt", "unknown"]
