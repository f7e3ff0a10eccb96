"""The SDK's side of a turn: botbuilder hands a TurnContext, Styra's dispatcher takes the
activity, and an invoke's answer goes back the way the adapter expects it."""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityTypes, InvokeResponse


class TeamsEdge:
    def __init__(self, dispatcher) -> None:
        self.dispatcher = dispatcher

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        answer = await self.dispatcher.handle(activity)
        if activity.type == ActivityTypes.invoke:
            status, body = (answer.status, answer.body) if answer is not None else (200, {})
            turn_context.turn_state[TurnContext._INVOKE_RESPONSE_KEY] = Activity(
                type=ActivityTypes.invoke_response, value=InvokeResponse(status=status, body=body))
