"""End to end: Styra's app.py driven through the Microsoft 365 Agents Playground.

The Playground (npm `@microsoft/m365agentsplayground`) emulates Teams and mocks the
connector service. Its web UI talks to its Node server over plain HTTP and WebSockets;
these tests use the same API, so no browser is needed:

- install:          POST /_debug/conversation/<conversationId>/installation
- say:              POST /_conversation/v1/conversations/<conversationId>/messages
- Action.Submit:    POST /_conversation/v1/submit
- Action.Execute:   POST /_conversation/v1/invoke
- any activity:     POST /_internal/v1/customActivities  (template: GET ...?conversationId=)
- bot messages:     WebSocket /_ws_conversation/v1/conversations/stream
- bot HTTP answers: WebSocket /_ws/log/stream

The Playground always sends locale "en-US". A Swedish Teams client sends "sv-SE", so the
Swedish scenario sends its activities as custom activities built from the Playground's own
template with the locale changed; the English scenario uses exactly what the web UI sends.
The coordinator's scenario also uses only the web UI's requests: a Swedish user in the
Playground writes `språk svenska` once, since the Playground's Action.Execute invokes always
say en-US and cannot be sent as custom activities with their answer returned.
The API is internal to the Playground, so its version is pinned (PLAYGROUND_VERSION).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PLAYGROUND_VERSION = "0.2.28"
PLAYGROUND_PACKAGE = REPO / ".e2e" / "node_modules" / "@microsoft" / "m365agentsplayground"
# Optional mock tenant (users, ids) shared with a developer's Playground; built-in otherwise.
PLAYGROUND_CONFIG = REPO / ".m365agentsplayground.yml"


@dataclass(frozen=True)
class Expect:
    """What the user types and what the cards must show. Change these when texts change."""

    locale: str | None  # None: what the Playground's web UI sends ("en-US")
    help_command: str
    help_card_texts: tuple[str, ...]
    # Text of the answer to the "needs" button that is not on the help card itself.
    needs_topic_texts: tuple[str, ...]


SWEDISH = Expect(
    locale="sv-SE",
    help_command="hjälp",
    help_card_texts=("Styra", "Vad kan jag hjälpa till med"),
    needs_topic_texts=("Alla kan registrera ett behov",),
)
PLAYGROUND_UI = Expect(
    locale=None,
    help_command="help",
    help_card_texts=("Styra", "What can I help you with"),
    needs_topic_texts=("Anyone can register a need",),
)
HELP_TOPIC_DATA = {"verb": "help.topic", "topic": "needs"}

# Log items the Playground writes for what it sent to the bot (vs. the bot's calls back).
TO_BOT = "User Application"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"

STARTUP_TIMEOUT = 25.0
REPLY_TIMEOUT = 10.0
# Bot credentials from the developer's shell would switch inbound auth on; the
# Playground sends no token, so the child process must not inherit them.
CREDENTIAL_VARIABLES = (
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MicrosoftAppId",
    "MicrosoftAppPassword",
    "MicrosoftAppTenantId",
    "MicrosoftAppType",
)


def _skip_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (needed for the Microsoft 365 Agents Playground)"
    if not (PLAYGROUND_PACKAGE / "cli.js").is_file():
        return (
            "the Playground is not installed: run `npm install --prefix .e2e "
            f"@microsoft/m365agentsplayground@{PLAYGROUND_VERSION}`"
        )
    if not (REPO / "app.py").is_file():
        return "app.py is missing"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _card_texts(node: Any) -> list[str]:
    """Every string a user could read in a card or message (all string leaves)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _card_texts(value)]
    if isinstance(node, list):
        return [text for value in node for text in _card_texts(value)]
    return []


def _message_text(message: dict) -> str:
    parts = [message.get("text") or ""]
    for attachment in message.get("attachments") or []:
        parts.extend(_card_texts(attachment.get("content")))
    return "\n".join(parts)


def _adaptive_cards(message: dict) -> list[dict]:
    return [
        a["content"]
        for a in message.get("attachments") or []
        if a.get("contentType") == ADAPTIVE_CARD
    ]


def _input_values(card: Any) -> dict[str, str]:
    """What a card's inputs hold as shown. Empty ones are left out, as the web UI does (seen in
    headless Chromium: it sent only title, e_area and source of the need form)."""
    found: dict[str, str] = {}
    if isinstance(card, dict):
        if str(card.get("type", "")).startswith("Input.") and card.get("id") and card.get("value"):
            found[card["id"]] = str(card["value"])
        children = list(card.values())
    elif isinstance(card, list):
        children = card
    else:
        return found
    for child in children:
        found |= _input_values(child)
    return found


def _find_action(card: Any, data: dict) -> dict | None:
    """The Action.Submit / Action.Execute whose data carries every key of `data`."""
    if isinstance(card, dict):
        action_data = card.get("data")
        if (
            card.get("type") in ("Action.Submit", "Action.Execute")
            and isinstance(action_data, dict)
            and all(action_data.get(k) == v for k, v in data.items())
        ):
            return card
        children = list(card.values())
    elif isinstance(card, list):
        children = card
    else:
        return None
    for child in children:
        found = _find_action(child, data)
        if found is not None:
            return found
    return None


class Playground:
    """Talks to a running Playground the way its web UI does."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, locale: str | None) -> None:
        self.session = session
        self.base_url = base_url
        self.locale = locale
        self.events: list[dict] = []  # conversation stream: bot messages, edits, typing
        self.logs: list[dict] = []  # log stream: every activity sent to the bot + its status
        self._changed = asyncio.Condition()
        self._readers: list[asyncio.Task] = []
        self.config: dict = {}

    async def connect(self) -> None:
        ws_base = self.base_url.replace("http://", "ws://")
        conversation = await self.session.ws_connect(
            f"{ws_base}/_ws_conversation/v1/conversations/stream"
        )
        log = await self.session.ws_connect(f"{ws_base}/_ws/log/stream")
        self._readers = [
            asyncio.create_task(self._read(conversation, self.events)),
            asyncio.create_task(self._read(log, self.logs, lambda item: item.get("log"))),
        ]
        self.config = (await self.request("GET", "/_internal/v1/testConfig"))["config"]

    async def close(self) -> None:
        for task in self._readers:
            task.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)

    async def _read(self, ws, sink: list, pick: Callable[[dict], Any] = lambda item: item):
        async for frame in ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            item = pick(json.loads(frame.data))
            if item is not None:
                async with self._changed:
                    sink.append(item)
                    self._changed.notify_all()

    async def wait_for(self, sink: list, start: int, match: Callable[[dict], bool], what: str):
        """First item at index >= start that matches; fails with what was seen instead."""

        def found() -> dict | None:
            return next((item for item in sink[start:] if match(item)), None)

        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: found() is not None), REPLY_TIMEOUT
                )
            item = found()
        if item is None:
            seen = json.dumps(sink[start:], ensure_ascii=False)[:3000]
            pytest.fail(f"no {what} within {REPLY_TIMEOUT} s; seen: {seen}")
        return item

    async def request(self, method: str, path: str, body: dict | None = None) -> Any:
        async with self.session.request(
            method, f"{self.base_url}{path}", json=body, timeout=aiohttp.ClientTimeout(total=15)
        ) as response:
            text = await response.text()
            assert response.status == 200, f"{method} {path} -> {response.status}: {text}"
            return json.loads(text) if text else None

    # --- ids from the Playground's mock tenant -------------------------------------------
    @property
    def user(self) -> dict:
        return self.config["currentUser"]

    @property
    def bot(self) -> dict:
        return self.config["bot"]

    @property
    def personal_chat(self) -> str:
        return self.config["personalChat"]["id"]

    @property
    def team(self) -> str:
        # The General channel's conversation id is the team id.
        return self.config["teams"][0]["id"]

    # --- what a Teams client does ----------------------------------------------------------
    async def install(self, conversation_id: str) -> None:
        """Adds the app: installationUpdate (add) and conversationUpdate (membersAdded)."""
        start = len(self.logs)
        await self.request("POST", f"/_debug/conversation/{conversation_id}/installation", {})
        for activity_type in ("installationUpdate", "conversationUpdate"):
            await self.bot_answered(start, activity_type, conversation_id)

    async def bot_answered(self, start: int, activity_type: str, conversation_id: str) -> None:
        """The bot's HTTP answer to an activity, as logged by the Playground, was 2xx."""
        item = await self.wait_for(
            self.logs,
            start,
            lambda log: (
                log.get("type") == "bot"
                and log.get("to") == TO_BOT
                and log.get("activityName") == activity_type
                and log.get("conversationId") == conversation_id
            ),
            f"{activity_type} delivered to the bot in {conversation_id}",
        )
        status = item["response"]["statusCode"]
        assert 200 <= status < 300, f"bot answered {activity_type} with {status}: {item}"

    async def say(self, conversation_id: str, text: str, mention_bot: bool = False) -> str:
        """Sends a message as the current user; returns the conversation the reply lands in."""
        body: dict = {"from": {"id": self.user["id"]}, "text": text, "textFormat": "plain"}
        mention = f"<at>{self.bot['name']}</at>"
        if mention_bot and self.locale is None:
            body["text"] = f"{mention} {text}"
            body["mentions"] = [{"mentioned": {"id": self.bot["id"]}, "text": mention}]
        if self.locale is None or conversation_id != self.personal_chat:
            # The UI path. In a channel without a mention the bot is not told, so with a
            # locale this only opens the thread ("<channel>;messageid=<id>") for the
            # activity below.
            result = await self.request(
                "POST", f"/_conversation/v1/conversations/{conversation_id}/messages", body
            )
            conversation_id = result.get("postConversationId") or conversation_id
            if self.locale is None:
                return conversation_id
        fields: dict = {"type": "message", "text": text, "textFormat": "plain"}
        if mention_bot:
            fields["text"] = f"{mention} {text}"
            fields["entities"] = [
                {
                    "type": "mention",
                    "mentioned": {"id": self.bot["id"], "name": self.bot["name"]},
                    "text": mention,
                }
            ]
        await self.send_custom(conversation_id, fields)
        return conversation_id

    async def send_custom(self, conversation_id: str, fields: dict) -> None:
        """An activity from the Playground's own template, with this client's locale."""
        activity = await self.request(
            "GET", f"/_internal/v1/customActivities/template?conversationId={conversation_id}"
        )
        tenant = {"id": self.config["tenantId"]}
        channel_data: dict = {"tenant": tenant}
        if activity["conversation"].get("conversationType") == "channel":
            channel = conversation_id.split(";")[0]
            channel_data |= {"team": {"id": self.team}, "channel": {"id": channel}}
        activity |= {
            "locale": self.locale,
            "channelData": channel_data,
            **fields,
            "entities": [
                *fields.get("entities", []),
                {
                    "type": "clientInfo",
                    "locale": self.locale,
                    "country": self.locale.split("-")[-1],
                },
            ],
        }
        activity["from"] = {**activity["from"], "name": self.user["name"]}
        await self.request("POST", "/_internal/v1/customActivities", activity)

    async def reply(self, conversation_id: str, start: int, texts: tuple[str, ...]) -> dict:
        """The bot's first message (new or edited) in the conversation that shows all texts."""
        event = await self.wait_for(
            self.events,
            start,
            lambda e: (
                e.get("action") in ("createMessage", "updateMessage")
                and e.get("actionConversationId") == conversation_id
                and e["message"]["from"]["id"] == self.bot["id"]
                and all(t in _message_text(e["message"]) for t in texts)
            ),
            f"bot message showing {texts} in {conversation_id}",
        )
        return event["message"]

    async def press(
        self, conversation_id: str, message: dict, action: dict, inputs: dict | None = None
    ) -> dict | None:
        """Presses a card button; returns the card of an Action.Execute answer, if any.

        `inputs`: the card's input values, which the web UI's card renderer (like Teams)
        merges into the button's data."""
        data = {**(inputs or {}), **action["data"]}
        if action["type"] == "Action.Submit":
            if self.locale is None:
                await self.request(
                    "POST",
                    "/_conversation/v1/submit",
                    {
                        "conversation": {"id": conversation_id},
                        "from": {"id": self.user["id"]},
                        "replyToId": message["messageId"],
                        "value": data,
                    },
                )
            else:
                await self.send_custom(
                    conversation_id,
                    {"type": "message", "replyToId": message["messageId"], "value": data},
                )
            return None
        answer = await self.request(
            "POST",
            "/_conversation/v1/invoke",
            {
                "name": "adaptiveCard/action",
                "conversation": {"id": conversation_id},
                "from": {"id": self.user["id"]},
                "replyToId": message["messageId"],
                "value": {
                    "action": {
                        "type": "Action.Execute",
                        "title": action.get("title"),
                        "verb": action.get("verb"),
                        "data": data,
                    },
                },
            },
        )
        return answer["value"] if answer.get("type") == ADAPTIVE_CARD else None


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 5)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"


async def _start_styra(tmp_path: Path) -> tuple[asyncio.subprocess.Process, int, Path]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    env.update(
        # Empty beats a value from .env: no app id keeps inbound auth off in development.
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        STYRA_ENV="development",
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}",
        STYRA_DEMO="1",
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "styra.log"
    with log_path.open("wb") as log:
        # As `make run` does: the schema first, then the bot.
        migrate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli.main", "migrate", cwd=REPO, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        if await asyncio.wait_for(migrate.wait(), STARTUP_TIMEOUT) != 0:
            pytest.fail(f"`python -m bot.cli.main migrate` failed:\n{_tail(log_path)}")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "app.py", cwd=REPO, env=env, stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
    while True:
        if process.returncode is not None:
            pytest.fail(f"app.py exited with {process.returncode}:\n{_tail(log_path)}")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return process, port, log_path
        if asyncio.get_running_loop().time() > deadline:
            await _stop(process)
            pytest.fail(f"app.py did not listen on {port}:\n{_tail(log_path)}")
        await asyncio.sleep(0.1)


async def _start_playground(
    tmp_path: Path, bot_port: int
) -> tuple[asyncio.subprocess.Process, int]:
    env = dict(
        os.environ,
        TEAMSAPPTESTER_BROWSER="none",  # never open a browser
        M365_AGENTS_PLAYGROUND_LOGFILE=str(tmp_path / "playground.log"),
    )
    if PLAYGROUND_CONFIG.is_file():
        env["M365_AGENTS_PLAYGROUND_CONFIG_PATH"] = str(PLAYGROUND_CONFIG)
    process = await asyncio.create_subprocess_exec(
        "node", str(PLAYGROUND_PACKAGE / "cli.js"),
        "--app-endpoint", f"http://127.0.0.1:{bot_port}/api/messages",
        "--channel-id", "msteams",
        "--port", str(_free_port()),
        "--disable-telemetry",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    # With stdout not a terminal it prints exactly "Listening on <port>" (it may pick
    # another port when the asked one is taken).
    try:
        line = await asyncio.wait_for(process.stdout.readline(), STARTUP_TIMEOUT)
    except TimeoutError:
        line = b""
    text = line.decode(errors="replace").strip()
    if not text.startswith("Listening on "):
        await _stop(process)
        pytest.fail(f"Playground did not start: {text!r}\n{_tail(tmp_path / 'playground.log')}")
    return process, int(text.rsplit(" ", 1)[1])


def _check_version() -> None:
    installed = json.loads((PLAYGROUND_PACKAGE / "package.json").read_text())["version"]
    if installed != PLAYGROUND_VERSION:
        pytest.fail(
            f"Playground {installed} installed, test written against {PLAYGROUND_VERSION}: "
            "its HTTP API is internal; re-check it and update PLAYGROUND_VERSION"
        )


@contextlib.asynccontextmanager
async def _running(tmp_path: Path, locale: str | None) -> AsyncIterator[Playground]:
    """app.py and a Playground pointed at it; both stopped whatever happens."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    _check_version()
    styra, bot_port, styra_log = await _start_styra(tmp_path)
    playground_process = None
    try:
        playground_process, pg_port = await _start_playground(tmp_path, bot_port)
        # No total timeout on the session: it would also cut the long-lived WebSockets.
        async with aiohttp.ClientSession() as session:
            pg = Playground(session, f"http://127.0.0.1:{pg_port}", locale)
            await pg.connect()
            try:
                yield pg
                failures = [
                    log
                    for log in pg.logs
                    if log.get("type") == "bot" and log["response"]["statusCode"] >= 400
                ]
                assert not failures, f"HTTP errors between the bot and the Playground: {failures}"
            except BaseException:
                sys.stderr.write(f"--- app.py log ---\n{_tail(styra_log)}\n")
                raise
            finally:
                await pg.close()
    finally:
        if playground_process is not None:
            await _stop(playground_process)
        await _stop(styra)


async def _help_and_needs_topic(pg: Playground, expect: Expect) -> None:
    """In the personal chat: the help command gives the help card, its needs button the topic."""
    chat = pg.personal_chat
    start = len(pg.events)
    await pg.say(chat, expect.help_command)
    help_message = await pg.reply(chat, start, expect.help_card_texts)
    cards = _adaptive_cards(help_message)
    assert cards, f"the help answer has no Adaptive Card: {help_message}"
    action = _find_action(cards, HELP_TOPIC_DATA)
    assert action is not None, f"no button with data {HELP_TOPIC_DATA} on the help card"

    # The answer may be a new message, the card edited, or the card Action.Execute returns.
    start, log_start = len(pg.events), len(pg.logs)
    returned_card = await pg.press(chat, help_message, action)
    if returned_card is not None:
        answer_text = "\n".join(_card_texts(returned_card))
        assert all(t in answer_text for t in expect.needs_topic_texts), returned_card
        return
    await pg.bot_answered(log_start, "message", chat)
    answer = await pg.reply(chat, start, expect.needs_topic_texts)
    assert _adaptive_cards(answer) != cards, "the button answered with the help card again"


async def _help_in_team(pg: Playground, expect: Expect) -> None:
    """In a channel the bot only hears an @mention; it answers in the thread."""
    start = len(pg.events)
    thread = await pg.say(pg.team, expect.help_command, mention_bot=True)
    await pg.reply(thread, start, expect.help_card_texts)


async def test_swedish_user_gets_help_in_chat_and_team(tmp_path: Path) -> None:
    async with _running(tmp_path, SWEDISH.locale) as pg:
        await pg.install(pg.personal_chat)
        await pg.install(pg.team)
        await _help_and_needs_topic(pg, SWEDISH)
        await _help_in_team(pg, SWEDISH)


async def test_playground_web_ui_path_in_english(tmp_path: Path) -> None:
    """Exactly the requests the Playground's web UI makes (it always says locale en-US)."""
    async with _running(tmp_path, PLAYGROUND_UI.locale) as pg:
        await pg.install(pg.personal_chat)
        await pg.install(pg.team)
        await _help_and_needs_topic(pg, PLAYGROUND_UI)
        await _help_in_team(pg, PLAYGROUND_UI)


# --- a Swedish coordinator follows a need up (the web UI's requests) ---------------------------

NEED_NUMBER = re.compile(r"B-\d{4}-\d{4,6}")


def _button(message: dict, verb: str) -> dict:
    action = _find_action(_adaptive_cards(message), {"verb": verb})
    assert action is not None, (
        f"no {verb} button on {json.dumps(message, ensure_ascii=False)[:2000]}"
    )
    return action


def _as_message(card: dict, message: dict) -> dict:
    """The message after an Action.Execute answer: the Playground puts the card in its place."""
    return {**message, "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}]}


async def _press_for_card(
    pg: Playground,
    chat: str,
    message: dict,
    verb: str,
    texts: tuple[str, ...],
    inputs: dict | None = None,
) -> dict:
    """Presses the verb's button and returns the message the user then sees showing all texts:
    the card an Action.Execute answers with, or the bot's new or edited message."""
    start = len(pg.events)
    card = await pg.press(chat, message, _button(message, verb), inputs)
    if card is not None:
        shown = "\n".join(_card_texts(card))
        missing = [t for t in texts if t not in shown]
        assert not missing, f"{verb}: the card lacks {missing}: {shown[:2000]}"
        return _as_message(card, message)
    return await pg.reply(chat, start, texts)


async def test_swedish_coordinator_follows_a_need_up(tmp_path: Path) -> None:
    """The Playground's default user (Alex Wilber: coordinator of Utbildning and Forskning in the
    demo organisation) chooses Swedish, registers a need with the guided form, changes its title
    (Action.Execute with the form's inputs), withdraws it (confirm step), then looks at what
    waits for assessment, the new-need notices and the annual wheel."""
    async with _running(tmp_path, PLAYGROUND_UI.locale) as pg:
        chat = pg.personal_chat
        await pg.install(chat)

        async def say(text: str, *texts: str) -> dict:
            start = len(pg.events)
            await pg.say(chat, text)
            return await pg.reply(chat, start, texts)

        # The web UI always sends en-US: a Swedish user chooses Swedish once.
        await say("språk svenska", "Klart. Jag pratar svenska med dig från och med nu.")

        form = await say("nytt behov", "Registrera ett behov")
        inputs = _input_values(_adaptive_cards(form)) | {
            "title": "Bokningssystem för labbsalar",
            "description": "Labbsalarna bokas i dag med papperslistor på dörren.",
            "e_area": "utbildning",
        }
        confirmation = await _press_for_card(
            pg, chat, form, "need.submit", ("är registrerat", "Vad händer nu"), inputs
        )
        number = NEED_NUMBER.search(_message_text(confirmation)).group(0)

        need = await say(
            f"behov {number}", number, "Bokningssystem för labbsalar", "Ändra", "Dra tillbaka"
        )
        edit_form = await _press_for_card(
            pg, chat, need, "need.edit", (f"Ändra {number}", "Spara ändringarna")
        )
        inputs = _input_values(_adaptive_cards(edit_form))
        assert inputs["title"] == "Bokningssystem för labbsalar", inputs
        inputs["title"] = "Gemensamt bokningssystem för labbsalar"
        changed = await _press_for_card(
            pg,
            chat,
            edit_form,
            "need.update",
            (number, "Gemensamt bokningssystem för labbsalar", "Ändrad ", "Alex Wilber"),
            inputs,
        )

        confirm = await _press_for_card(
            pg,
            chat,
            changed,
            "need.withdraw",
            (f"Dra tillbaka {number}?", "koordinatorerna bedömer det inte"),
        )
        withdrawn = await _press_for_card(
            pg, chat, confirm, "need.withdraw_confirm", (number, "Tillbakadraget")
        )
        # Neither withdrawn again nor assessed: a withdrawn need offers neither button.
        for verb in ("need.withdraw", "assess.open"):
            assert _find_action(_adaptive_cards(withdrawn), {"verb": verb}) is None, withdrawn

        to_assess = await say("att bedöma", "Behov att bedöma")
        assert number not in _message_text(to_assess), "a withdrawn need is listed to assess"

        await say(
            "aviseringar", "Meddelanden om nya behov i dina e-områden:", "Utbildning", "Forskning"
        )
        await say("årshjul", "Årshjul")
