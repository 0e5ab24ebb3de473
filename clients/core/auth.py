"""How a client proves who it is: auth as dlt config classes, secrets as secret config values.

dlt's `rest_client/auth.py` is the model: each scheme is a `@configspec` class whose secret is a
`TSecretStrValue`, so it resolves from `.dlt/secrets.toml` or env vars like any other secret and
is never shown by dlt's config dumps. The client takes one of these objects and sends what
`headers()` returns on every request. Keys travel only in a header, never in a URL or a body.

    ApiAuth                 (the interface: headers(), secret())
     +-- ApiKeyHeaderAuth   (`<name>: <key>`, the header name configurable)
     +-- BearerTokenAuth    (`Authorization: Bearer <token>`)
"""

from __future__ import annotations

from typing import Any

from dlt.common.configuration.specs import CredentialsConfiguration, configspec
from dlt.common.configuration.specs.exceptions import NativeValueError
from dlt.common.typing import TSecretStrValue


@configspec
class ApiAuth(CredentialsConfiguration):
    """An auth scheme the client can apply: the headers to send and the secret to redact."""

    def headers(self) -> dict[str, str]:
        """The headers that carry the credentials."""
        raise NotImplementedError

    def secret(self) -> str:
        """The secret value itself (for redaction); empty when none is configured."""
        raise NotImplementedError

    def __bool__(self) -> bool:
        # A configspec without a secret is still an auth object (dlt's AuthConfigBase does the same).
        return True

    def __repr__(self) -> str:  # never show the secret
        return f"{type(self).__name__}()"

    __str__ = __repr__


@configspec
class ApiKeyHeaderAuth(ApiAuth):
    """Sends `api_key` in the header `name` (e.g. `x-api-key`)."""

    name: str = "x-api-key"
    api_key: TSecretStrValue | None = None

    def parse_native_representation(self, value: Any) -> None:
        if not isinstance(value, str):
            raise NativeValueError(type(self), value, "an API key must be a string")
        self.api_key = value

    def headers(self) -> dict[str, str]:
        return {self.name: str(self.api_key or "")}

    def secret(self) -> str:
        return str(self.api_key or "")

    def __repr__(self) -> str:
        return f"ApiKeyHeaderAuth(name={self.name!r})"

    __str__ = __repr__


@configspec
class BearerTokenAuth(ApiAuth):
    """Sends `Authorization: Bearer <token>`."""

    token: TSecretStrValue | None = None

    def parse_native_representation(self, value: Any) -> None:
        if not isinstance(value, str):
            raise NativeValueError(type(self), value, "a bearer token must be a string")
        self.token = value

    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token or ''}"}

    def secret(self) -> str:
        return str(self.token or "")
