"""Teams SSO into the tab over HTTP: a valid token becomes a signed link for the pages; every bad
token is a 401 with no data, and key trouble is a 503."""

from __future__ import annotations

import time

import pytest

from storage import org
from storage.models import Person, Role
from tests.support.keyserver import KeyServer, TestKey, mint
from tests.tab import tabkit
from tests.teams.test_tab_auth import APP_ID, OTHER_TENANT, TENANT, URI, sso_claims

OID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"  # a real-looking object id, portfolio office


@pytest.fixture
async def keys():
    async with KeyServer(keys=[TestKey.generate(endorsements=None)]) as server:
        yield server


@pytest.fixture
async def tab(db_url, keys):
    started = await tabkit.start(db_url, MicrosoftAppId=APP_ID, MicrosoftAppTenantId=TENANT, MicrosoftAppPassword="pw",
                                 STYRA_OPENID_METADATA_URL=keys.metadata_url,
                                 STYRA_ENTRA_METADATA_URL=keys.metadata_url,
                                 STYRA_PUBLIC_URL="https://styra.example.se")

    def grant(session):
        session.add(Person(aad_id=OID, name="Pia Portfölj"))
        org.grant(session, None, OID, Role.portfolio_office, by="test")

    from app import SERVICES

    await started.app[SERVICES].db.run(grant)
    # The pages check links against the test's clock; SSO tokens carry real time.
    started.clock.now = tabkit.dt.datetime.fromtimestamp(time.time(), tabkit.dt.UTC)
    yield started
    await started.close()


async def test_a_teams_token_becomes_a_link_that_opens_the_portfolio(tab, keys):
    response = await tab.client.post("/tab/session", headers={"Authorization": "Bearer " + mint(keys.key, sso_claims(oid=OID))})
    assert response.status == 200
    answer = await response.json()
    assert answer["expires"] - time.time() <= 15 * 60 + 5
    page = await tab.client.get("/tab/portfolio", params={"s": answer["s"], "period": "2026-Q2"})
    html = await page.text()
    assert page.status == 200 and "Inloggad som Pia Portfölj" in html and "Utbildning" in html


async def test_the_audience_is_the_application_id_uri_of_the_public_host(tab, keys):
    token = mint(keys.key, sso_claims(oid=OID, aud=f"api://styra.example.se/{APP_ID}"))
    assert URI == f"api://styra.example.se/{APP_ID}"
    assert (await tab.client.post("/tab/session", headers={"Authorization": f"Bearer {token}"})).status == 200


async def test_every_failed_validation_is_401_without_data(tab, keys):
    now = int(time.time())
    bad = {
        "none": {},
        "not bearer": {"Authorization": "Basic " + mint(keys.key, sso_claims(oid=OID))},
        "forged": {"Authorization": "Bearer " + mint(TestKey(keys.key.kid, TestKey.generate().private_key),
                                                        sso_claims(oid=OID))},
        "expired": {"Authorization": "Bearer " + mint(keys.key, sso_claims(oid=OID, nbf=now - 7200, iat=now - 7200,
                                                                         exp=now - 3600))},
        "other tenant": {"Authorization": "Bearer " + mint(keys.key, sso_claims(oid=OID, tid=OTHER_TENANT,
                                                                              iss=f"https://sts.windows.net/{OTHER_TENANT}/"))},
        "other audience": {"Authorization": "Bearer " + mint(keys.key, sso_claims(oid=OID, aud="api://x/y"))},
        "garbage": {"Authorization": "Bearer abc.def.ghi"},
    }
    for name, headers in bad.items():
        response = await tab.client.post("/tab/session", headers=headers)
        assert response.status == 401, name
        assert await response.json() == {"error": "unauthorized"}, name


async def test_keys_that_cannot_be_fetched_give_503_not_a_pass(db_url, keys):
    keys.fail(500)
    started = await tabkit.start(db_url, MicrosoftAppId=APP_ID, MicrosoftAppTenantId=TENANT, MicrosoftAppPassword="pw",
                                 STYRA_OPENID_METADATA_URL=keys.metadata_url, STYRA_ENTRA_METADATA_URL=keys.metadata_url)
    try:
        token = mint(keys.key, sso_claims(oid=OID))
        response = await started.client.post("/tab/session", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 503
    finally:
        await started.close()


async def test_without_sso_configured_the_exchange_refuses(db_url):
    started = await tabkit.start(db_url)
    try:
        response = await started.client.post("/tab/session", headers={"Authorization": "Bearer x"})
        assert response.status == 401
    finally:
        await started.close()
