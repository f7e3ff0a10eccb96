"""The SDK speed-ups change nothing the SDK sends."""

import datetime as dt

from botbuilder.schema import Activity, Attachment, ChannelAccount
from msrest.serialization import Serializer

from bot.i18n import translator
from bot.teams import sdk_patches
from cards.system import help_card


def _serialised(activity: Activity) -> dict:
    from botbuilder.schema import _models_py3 as models

    deps = {k: v for k, v in vars(models).items() if isinstance(v, type)}
    return Serializer(deps).body(activity, "Activity")


def test_a_card_activity_serialises_exactly_as_before():
    card = help_card(translator("sv"))
    activity = Activity(type="message", text="x", from_property=ChannelAccount(id="b"),
                        attachments=[Attachment(content_type="application/vnd.microsoft.card.adaptive", content=card)],
                        timestamp=dt.datetime(2026, 11, 21, tzinfo=dt.UTC))
    original = Serializer.serialize_object
    try:
        if getattr(original, "styra_fast", False):
            Serializer.serialize_object = original.__closure__[0].cell_contents  # the SDK's own
        before = _serialised(activity)
    finally:
        Serializer.serialize_object = original
    sdk_patches.apply()
    after = _serialised(activity)
    assert after == before
    assert after["attachments"][0]["content"] == card


def test_non_json_values_still_take_the_sdk_path():
    sdk_patches.apply()
    out = Serializer().serialize_object({"when": dt.date(2026, 11, 21)})
    assert out == {"when": "2026-11-21"}


async def test_connector_clients_are_built_once_per_service_url(monkeypatch):
    from types import SimpleNamespace

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    built = []

    class Inner:
        async def create(self, service_url, audience):
            built.append(service_url)
            return SimpleNamespace(config=SimpleNamespace(proxies=SimpleNamespace(use_env_settings=True)))

    factory = sdk_patches.CachedConnectorFactory(Inner())
    a = await factory.create("https://smba.trafficmanager.net/emea/", None)
    b = await factory.create("https://smba.trafficmanager.net/emea/", None)
    c = await factory.create("https://smba.trafficmanager.net/amer/", None)
    assert a is b and a is not c and len(built) == 2
    assert a.config.proxies.use_env_settings is False  # no proxy configured: no environment scan per send
