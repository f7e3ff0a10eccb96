"""The Teams edge's side of a turn: the door hands the activity, Styra's dispatcher takes it, and
an invoke's answer becomes the HTTP answer (a message's replies went out during the turn)."""

from __future__ import annotations


class TeamsEdge:
    def __init__(self, dispatcher) -> None:
        self.dispatcher = dispatcher

    async def answer(self, activity) -> tuple[int, dict] | None:
        """(status, body) for an invoke, None for every other activity."""
        answer = await self.dispatcher.handle(activity)
        if activity.type != "invoke":
            return None
        return (answer.status, answer.body) if answer is not None else (200, {})
