"""The stock botbuilder echo bot (CloudAdapter, no Styra code, no patches): the benchmark's baseline."""

import os
import sys
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


@dataclass
class Config:
    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext):
        await turn_context.send_activity(f"Echo: {turn_context.activity.text}")


ADAPTER = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))
BOT = EchoBot()


async def messages(request: web.Request) -> web.Response:
    return await ADAPTER.process(request, BOT)


def main() -> None:
    app = web.Application()
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=int(os.environ.get("PORT", "3979")), print=lambda *_: None)


if __name__ == "__main__":
    sys.exit(main())
