"""Unit tests of auth as config classes (`sales_tasks.clients.core.auth`) over `httpx.MockTransport`: the
header each scheme sends, the configurable header name, secrets resolved by dlt as secret values,
and the key never shown or sent anywhere but its header."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.exceptions import InvalidNativeValue
from dlt.common.configuration.specs.base_configuration import is_secret_hint

from sales_tasks.clients.apollo.profile import APOLLO_PROFILE
from sales_tasks.clients.core import (
    ApiClient,
    ApiKeyHeaderAuth,
    BearerTokenAuth,
    FatalApiError,
    RetryPolicy,
    VendorProfile,
)

SECRET = "sk-unit-secret-42"


def sent_headers(**client_args: Any) -> list[httpx.Headers]:
    seen: list[httpx.Request] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    with ApiClient(
        "https://vendor.test",
        retry=RetryPolicy(max_attempts=1),
        transport=httpx.MockTransport(vendor),
        **client_args,
    ) as client:
        client.request_json("POST", "/things", params={"page": 1}, json={"a": 1})
    for request in seen:
        assert SECRET not in str(request.url) and SECRET.encode() not in request.content
    return [r.headers for r in seen]


def test_api_key_header_with_a_configurable_name() -> None:
    [headers] = sent_headers(auth=ApiKeyHeaderAuth(name="X-Vendor-Key", api_key=SECRET))
    assert headers["x-vendor-key"] == SECRET
    assert "authorization" not in headers and "x-api-key" not in headers


def test_bearer_token() -> None:
    [headers] = sent_headers(auth=BearerTokenAuth(token=SECRET))
    assert headers["authorization"] == f"Bearer {SECRET}"


def test_apollo_profile_sends_the_key_in_x_api_key_only() -> None:
    [headers] = sent_headers(api_key=SECRET, profile=APOLLO_PROFILE)
    assert headers["x-api-key"] == SECRET and "authorization" not in headers


def test_a_given_auth_object_wins_over_the_profiles_scheme() -> None:
    [headers] = sent_headers(
        api_key="ignored", auth=BearerTokenAuth(token=SECRET), profile=APOLLO_PROFILE
    )
    assert headers["authorization"] == f"Bearer {SECRET}" and "x-api-key" not in headers


@pytest.mark.parametrize(
    "args",
    [
        {"api_key": ""},
        {"auth": BearerTokenAuth()},
        {"auth": ApiKeyHeaderAuth(name="x-key")},
    ],
)
def test_no_secret_is_refused_before_any_request(args: dict[str, Any]) -> None:
    profile = VendorProfile(name="Vendor", key_hint="set VENDOR_API_KEY")
    with pytest.raises(FatalApiError) as info:
        ApiClient("https://vendor.test", profile=profile, **args)
    assert str(info.value) == "no Vendor API key configured: set VENDOR_API_KEY"


def test_secrets_are_secret_config_values_resolved_by_dlt(monkeypatch: pytest.MonkeyPatch) -> None:
    for spec, field in ((ApiKeyHeaderAuth, "api_key"), (BearerTokenAuth, "token")):
        assert is_secret_hint(spec.get_resolvable_fields()[field]), spec
    monkeypatch.setenv("SOURCES__VENDORX__CREDENTIALS__API_KEY", SECRET)
    monkeypatch.setenv("SOURCES__VENDORX__CREDENTIALS__NAME", "api-key")
    auth = resolve_configuration(ApiKeyHeaderAuth(), sections=("sources", "vendorx"))
    assert auth.headers() == {"api-key": SECRET}
    monkeypatch.setenv("SOURCES__VENDORY__CREDENTIALS__TOKEN", SECRET)
    bearer = resolve_configuration(BearerTokenAuth(), sections=("sources", "vendory"))
    assert bearer.headers() == {"authorization": f"Bearer {SECRET}"}


def test_a_bare_string_is_the_secret_as_in_dlt() -> None:
    auth = resolve_configuration(ApiKeyHeaderAuth(name="x-key"), explicit_value=SECRET)
    assert auth.headers() == {"x-key": SECRET}
    with pytest.raises(InvalidNativeValue):
        resolve_configuration(BearerTokenAuth(), explicit_value=42)


def test_auth_objects_and_clients_never_show_the_secret() -> None:
    for auth in (ApiKeyHeaderAuth(name="x-key", api_key=SECRET), BearerTokenAuth(token=SECRET)):
        assert SECRET not in repr(auth) and SECRET not in str(auth) and SECRET not in f"{auth}"
        assert bool(auth)
    client = ApiClient("https://vendor.test", auth=BearerTokenAuth(token=SECRET))
    try:
        assert SECRET not in repr(client)
        assert client.safe_message(RuntimeError(f"boom {SECRET}")) == "boom ***"
    finally:
        client.close()
