"""Welcome, help and error cards: the first things a person sees of Styra."""

from __future__ import annotations

from microsoft_teams.cards import ActionSet, Column, ColumnSet, Container, Fact, FactSet

from bot.i18n import Translator
from cards.common import card, escape, heading, para, submit
from cards.verbs import Verb

HELP_TOPICS = ("needs", "assess", "decisions", "wheel", "admin")


def _topic_titles(t: Translator) -> dict[str, str]:
    return {
        "needs": t("Register and follow needs"),
        "assess": t("Assess needs against the plan"),
        "decisions": t("Decisions in the steering group"),
        "wheel": t("The annual wheel"),
        "admin": t("Roles and channels"),
    }


def _topic_buttons(t: Translator) -> list:
    """The topics, three to a row: a row of five is cut to "B…" on a phone."""
    labels = {"needs": t("Needs"), "assess": t("Assessment"), "decisions": t("Decisions"),
              "wheel": t("Annual wheel"), "admin": t("Roles")}
    buttons = [submit(label, {"verb": Verb.HELP_TOPIC, "topic": key}) for key, label in labels.items()]
    return [ActionSet(actions=buttons[i:i + 3]) for i in range(0, len(buttons), 3)]


def welcome_card(t: Translator, name: str | None, *, in_team: bool = False) -> dict:
    greeting = t("Hi {name}, I am Styra!", name=escape(name.split(" ")[0])) if name else t("Hi, I am Styra!")
    body = [
        heading(greeting),
        para(t("I help your e-area run its governance work in Teams: needs, assessments against the plan, steering-group decisions and the annual wheel.")),
    ]
    if in_team:
        body.append(para(t("An administrator can link this channel to an e-area's steering group by writing **@Styra link <e-area>** here. Reminders and decisions will then be posted in the channel.")))
    body.append(
        FactSet(facts=[
            Fact(title=t("new need"), value=t("register a need for your e-area")),
            Fact(title=t("my needs"), value=t("follow the needs you have raised")),
            Fact(title=t("help"), value=t("everything I can do")),
        ])
    )
    body.append(para(t("You can write to me in Swedish or English. Change language with **language english** or **språk svenska**."), is_subtle=True, size="Small"))
    return card(body, [submit(t("Register a need"), {"verb": Verb.NEED_START}), submit(t("Help"), {"verb": Verb.HELP_TOPIC, "topic": "overview"})],
                fallback_text=greeting)


def help_card(t: Translator) -> dict:
    body = [
        heading(t("What can I help you with?")),
        para(t("Write a command below, or pick a topic to read more. In a channel, mention me first: **@Styra help**.")),
        FactSet(facts=[
            Fact(title=t("new need"), value=t("register a need (or just write \"We need …\")")),
            Fact(title=t("my needs"), value=t("your needs and where they stand")),
            Fact(title=t("need B-2026-0042"), value=t("one need with its history")),
            Fact(title=t("search <words>"), value=t("find needs by their words, also when put another way")),
            Fact(title=t("to assess"), value=t("the needs waiting for your assessment (coordinators)")),
            Fact(title=t("plan <e-area>"), value=t("the e-area's plan and how much of the frame is used")),
            Fact(title=t("new commission"), value=t("set up cross-unit work: purpose, organisation, document, approval")),
            Fact(title=t("commissions"), value=t("your commissions, or **commissions active**, and **commission U-2026-0007**")),
            Fact(title=t("wheel"), value=t("this year's annual wheel")),
            Fact(title=t("status report <e-area>"), value=t("the quarter's status report for the steering group")),
            Fact(title=t("language english"), value=t("change the language I use with you")),
            Fact(title=t("cancel"), value=t("stop what we are doing")),
        ]),
    ]
    return card(body + _topic_buttons(t), fallback_text=t("What can I help you with?"))


def help_topic_card(t: Translator, topic: str) -> dict:
    titles = _topic_titles(t)
    texts = {
        "needs": [
            t("Anyone can register a need: write **new need**, or describe it directly, for example *We need a shared booking system for labs*."),
            t("Before a need is saved I show similar needs in the same e-area, so you can join an existing one instead of creating a duplicate."),
            t("Write **my needs** to see your needs and their status, and **need B-2026-0042** to see one need with its history."),
            t("Until a need is assessed, its card lets you change it or withdraw it. After that its coordinators can still change it, and every change is kept in its history."),
            t("Write **search <words>**, for example **search booking labs**, to find the needs you may see that match, also where they are put another way."),
        ],
        "assess": [
            t("The e-area's coordinators assess each new need: does it serve the plan's goals, does it fit in the resource frame, is it urgent?"),
            t("I route the need by the rules: handled within the plan, a decision basis for the steering group, or the needs inventory for next year."),
            t("Write **to assess** to see the needs waiting in your e-areas, oldest first, each with an Assess button. A need's card reopens its decision-basis form while the basis is not sent yet or after it was sent back."),
            t("New needs reach the coordinators as one digest a day; **notices <e-area> each**, **digest** or **off** changes that for an e-area."),
        ],
        "decisions": [
            t("A decision basis is anchored with the area owners and then posted in the steering group's channel."),
            t("The chair approves, rejects, defers or sends it back directly in the card. Every decision is recorded with who, when and why."),
        ],
        "wheel": [
            t("The annual wheel holds the year's governance activities, month by month."),
            t("I post each reminder in the steering group's channel on a working day, and the coordinators answer in the card: done, start, snooze or not applicable."),
            t("Write **wheel** to see the year."),
            t("Write **status report <e-area>** to write the quarter's status report (coordinators), **meeting <e-area>** for the steering group's meeting pack, and **portfolio** for every e-area's latest status."),
        ],
        "admin": [
            t("Administrators link a channel to an e-area with **@Styra link <e-area>** in that channel."),
            t("Roles are granted with **role add coordinator <e-area> <person>** and removed with **role remove …**; **roles** lists them."),
        ],
        "overview": [
            t("I help your e-area run its governance work in Teams: needs, assessments against the plan, steering-group decisions and the annual wheel."),
        ],
    }
    title = titles.get(topic, t("What can I help you with?"))
    body = [heading(title, size="Medium")] + [para(text) for text in texts.get(topic, texts["overview"])]
    return card(body + _topic_buttons(t), fallback_text=title)


def error_card(t: Translator, message: str) -> dict:
    return card(
        [Container(style="attention", items=[para(message)])],
        fallback_text=message,
    )


def message_card(title: str, lines: list[str], *, style: str | None = None) -> dict:
    """A plain informational card (Styra's own text; callers escape user text)."""
    items = [heading(title, size="Medium")] + [para(line) for line in lines]
    return card([Container(style=style, items=items)] if style else items, fallback_text=title)


def columns(*texts: str) -> ColumnSet:
    return ColumnSet(columns=[Column(width="stretch", items=[para(text)]) for text in texts])


def language_question_card(t: Translator) -> dict:
    """`språk` alone: the question, answered by a button or by writing the language."""
    body = [para(t("Which language do you want me to use?")),
            para(t("Press a button, or write **svenska** or **english**."), is_subtle=True)]
    return card(body, [submit("Svenska", {"verb": Verb.LANGUAGE_SET, "lang": "sv"}),
                       submit("English", {"verb": Verb.LANGUAGE_SET, "lang": "en"})],
                fallback_text=t("Which language do you want me to use?"))
