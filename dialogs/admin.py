"""Administration in chat: link a channel to an e-area or the portfolio, list and change roles."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.dispatch import conversation_ref_of
from bot.i18n import area_name
from bot.registry import Capability
from bot.roles import ROLE_WORDS, change_role, is_admin, role_label
from bot.turn import Turn
from cards.common import escape
from cards.system import message_card
from dialogs.commissions.notices import ANNOUNCE_SCOPE
from storage import org
from storage.models import PORTFOLIO_ROLES, ChannelPurpose, Role

cap = Capability("admin")


@cap.command("link", r"(?:koppla|link)(?: (?P<area>.+))?", examples=("koppla utbildning", "link education"))
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
        await turn.say(t("Which e-area? Write **@Styra link <e-area>**, for example **@Styra link education**."))
        return
    ref = conversation_ref_of(turn.activity)
    portfolio = wanted.casefold() in ("portfölj", "portfolio", "portföljen", "portföljledning", "portfolio management")
    if wanted.casefold() in COMMISSION_WORDS:
        await turn.db.run(_link_commissions, ref, turn.speaker.aad_id)
        await turn.say(t("This channel now announces decided commissions: purpose, lead, participants, period, kind and form."))
        return

    def store(session):
        area = None if portfolio else org.find_e_area(session, wanted)
        if area is None and not portfolio:
            return None, [area_name(a, t) for a in org.e_areas(session)]
        purpose = ChannelPurpose.portfolio if portfolio else ChannelPurpose.steering
        org.save_conversation(session, ref)
        org.link_channel(session, purpose, area, ref.conversation_id, turn.speaker.aad_id)
        return (area_name(area, t) if area else None), None

    name, known = await turn.db.run(store)
    if known is not None:
        await turn.say(t("I do not know an e-area called \"{name}\". Known e-areas: {known}.",
                         name=escape(wanted), known=", ".join(known) or "–"))
        return
    if name is None:
        await turn.say(t("This channel is now the portfolio management channel. Escalated decisions will be posted here."))
    else:
        await turn.say(t("This channel is now the steering-group channel of {area}. Reminders and decisions will be posted here.", area=name))


COMMISSION_WORDS = ("uppdrag", "uppdragen", "commissions", "commission")


def _link_commissions(session, ref, by: str) -> None:
    org.save_conversation(session, ref)
    org.link_channel(session, ChannelPurpose.commission, None, ref.conversation_id, by, scope=ANNOUNCE_SCOPE)


# --- roles --------------------------------------------------------------------------------


@cap.command("roles", r"(?:roller|roles)(?: (?P<area>.+))?", examples=("roller", "roles"))
async def roles_command(turn: Turn, match: re.Match) -> None:
    t = turn.t

    rows = await turn.db.run(org.role_rows)
    if not rows:
        await turn.say(t("No roles are granted yet."))
        return
    lines = [f"{escape(area_name(area, t) if area else t('Portfolio'))} – {role_label(t, role)}: {escape(name or aad)}"
             for _scope, area, role, aad, name in rows]
    await turn.send_card(message_card(t("Roles"), ["\n".join(f"- {line}" for line in lines[:80])]))


@cap.command(
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
    outcome = await turn.db.run(change_role, role, area_word, mention or who, granting, turn.speaker.aad_id, t.lang)
    await turn.say(outcome_text(t, outcome, role, granting))


def can_manage_roles(turn: Turn) -> bool:
    return is_admin(turn.settings, turn.speaker.aad_id)


class Mentioned(BaseModel):
    """The account a Teams mention entity points at (channels resolve it for us)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str = ""
    aadObjectId: str | None = None  # noqa: N815 - Teams' own field name


def _mentioned(turn: Turn) -> str | None:
    """An @mentioned person's AAD id when Teams sent one; Styra's own mention is not a person."""
    for entity in turn.activity.entities or []:
        props = entity if isinstance(entity, dict) else getattr(entity, "additional_properties", None) or {}
        kind = props.get("type") or getattr(entity, "type", None)
        if kind != "mention":
            continue
        try:
            who = Mentioned.model_validate(props.get("mentioned") or {})
        except ValidationError:
            continue
        if who.aadObjectId and who.id != turn.activity.recipient.id:
            return who.aadObjectId
    return None


def outcome_text(t, outcome: tuple[str, str], role: Role, granting: bool) -> str:
    kind, detail = outcome
    if kind == "no_area":
        return t("Name the e-area too, for example **role add coordinator education Anna Berg**.")
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
