"""The aiohttp transport speaks the Bot Connector REST API and maps failures for the Deliverer."""

import aiohttp
import pytest

from bot.teams.delivery import Target, TransportError
from bot.teams.http import activities_url, http_transport

CARD = {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                                            "content": {"type": "AdaptiveCard", "version": "1.5"}}]}


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


def _send(session, token=None):
    async def give_token():
        return token

    return http_transport(lambda: session, give_token)


async def test_post_then_update_in_place(connector, session):
    send = _send(session, token="tok")
    target = Target(connector.url, "19:chan@thread.tacv2", "tenant-1")
    activity_id = await send(target, CARD)
    assert activity_id and connector.sent[-1].method == "POST"
    assert connector.sent[-1].conversation_id == "19:chan@thread.tacv2"
    assert connector.sent[-1].activity["channelData"]["tenant"] == {"id": "tenant-1"}
    assert connector.authorizations[-1] == "Bearer tok"
    same = await send(Target(connector.url, "19:chan@thread.tacv2", "tenant-1", activity_id), CARD)
    assert same == activity_id and connector.sent[-1].method == "PUT"


async def test_no_token_means_no_authorization_header(connector, session):
    await _send(session)(Target(connector.url, "a:1"), CARD)
    assert connector.authorizations[-1] is None


async def test_throttling_carries_retry_after(connector, session):
    connector.fail_next(429, retry_after=3)
    with pytest.raises(TransportError) as caught:
        await _send(session)(Target(connector.url, "a:1"), CARD)
    assert caught.value.status == 429 and caught.value.retry_after == 3


async def test_forbidden_is_a_status_the_deliverer_treats_as_permanent(connector, session):
    connector.fail_next(403)
    with pytest.raises(TransportError) as caught:
        await _send(session)(Target(connector.url, "a:1"), CARD)
    assert caught.value.status == 403


async def test_nobody_listening_is_a_connection_error(session):
    with pytest.raises(TransportError) as caught:
        await _send(session)(Target("http://127.0.0.1:9/", "a:1"), CARD)
    assert caught.value.status is None


def test_ids_are_escaped_in_the_path():
    url = activities_url(Target("https://smba.trafficmanager.net/emea/", "19:a;messageid=1", None, "1:2"))
    assert url == "https://smba.trafficmanager.net/emea/v3/conversations/19%3Aa%3Bmessageid%3D1/activities/1%3A2"
