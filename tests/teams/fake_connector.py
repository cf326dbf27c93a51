"""A fake Bot Connector (the `serviceUrl` of every activity) on an ephemeral loopback port.

Records every call the bot makes: replies (`POST …/activities/{id}`), new messages
(`POST …/activities`), updates (`PUT …/activities/{id}`), 1:1 chats it creates
(`POST /v3/conversations`) and member look-ups (`GET …/members/{id}`). It can be told to fail
the next calls of a kind (`fail_next("send", 429, retry_after=7)`).

It also stands in for Microsoft's identity services, so a test never reaches them: Entra ID's
token service (`POST /{tenant}/oauth2/v2.0/token`, client credentials: the start-up check and
botbuilder ask it for a token), and the Bot Framework's OpenID configuration and signing keys
(`/v1/.well-known/openidconfiguration`, `/keys`) for an RSA key it makes, so `token()` signs
what Teams would send and botbuilder checks it for real. `settings()` names every endpoint.

With `limits` set it enforces Teams' documented limits (PLATFORMS.md §i): sends, replies and 1:1
creations per conversation and, for all requests, per tenant, answering 429 with Retry-After.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers import Budget
from tests.teams.cardschema import payload_problems

TENANT = "tenant-1"
BOT_ID = "28:copbot"
KINDS = ("reply", "send", "update", "create", "member")
ISSUER = "https://api.botframework.com"  # what Bot Framework tokens say issued them
PASSWORD = "not-a-real-secret"  # the only app password the fake token service takes
KEY_ID = "fake-connector-key"


def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Limits:
    """Teams' limits, scaled by the caller: 7 a second per conversation, 50 per tenant."""

    per_conversation_per_second: float = 7.0
    per_tenant_per_second: float = 50.0


@dataclass
class Call:
    kind: str
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any]
    authorization: str | None = None


@dataclass
class FakeConnector:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = field(
        default_factory=dict
    )
    # Member profiles by user id; unknown members get a 404 like Teams gives.
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    server: TestServer | None = None
    limits: Limits | None = None
    rate_limited: int = 0  # how many 429s the limits provoked
    _budgets: dict[str, Budget] = field(default_factory=dict)
    # Activities whose cards Teams would refuse: (kind, problems). The driver fails a test that
    # leaves any, so every card the suite produces is checked against the published schema.
    invalid: list[tuple[str, list[str]]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    # The key the fake Bot Framework signs activities' tokens with (its public half is in /keys).
    key: rsa.RSAPrivateKey = field(default_factory=signing_key)
    # Client-credentials requests the token service answered: (tenant, form).
    token_requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1/.well-known/openidconfiguration", self._openid)
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        app.router.add_get("/keys", self._keys)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/"))

    def settings(self) -> dict[str, str]:
        """Every Microsoft endpoint copbot uses, pointed here (the names of bot.config)."""
        base = self.url.rstrip("/")
        return {
            "MICROSOFT_LOGIN_URL": base,
            "MICROSOFT_OAUTH_URL": base,
            "MICROSOFT_OPENID_METADATA_URL": f"{base}/v1/.well-known/openidconfiguration",
            "MICROSOFT_EMULATOR_OPENID_METADATA_URL": (
                f"{base}/botframework.com/v2.0/.well-known/openid-configuration"
            ),
        }

    def token(
        self,
        app_id: str,
        *,
        key: rsa.RSAPrivateKey | None = None,
        service_url: str | None = None,
        **claims: Any,
    ) -> str:
        """A Bot Framework token for an activity to `app_id`, signed by this fake (or `key`)."""
        now = int(time.time())  # botbuilder checks expiry against the real clock
        payload = {
            "iss": ISSUER,
            "aud": app_id,
            "serviceurl": service_url or self.url,
            "nbf": now - 60,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def fail_next(
        self, kind: str, status: int, *, retry_after: int | None = None, code: str = ""
    ) -> None:
        assert kind in KINDS, kind
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = {"error": {"code": code or f"Status{status}", "message": f"failed with {status}"}}
        self.failures.setdefault(kind, []).append((status, headers, body))

    # -- queries ----------------------------------------------------------------------------------

    def of(self, *kinds: str) -> list[Call]:
        return [c for c in self.calls if c.kind in kinds]

    def messages(self) -> list[Call]:
        """Every message the bot posted or updated, in order."""
        return self.of("reply", "send", "update")

    def to(self, conversation_id: str) -> list[Call]:
        return [c for c in self.messages() if c.conversation_id == conversation_id]

    # -- handlers ---------------------------------------------------------------------------------

    async def _record(self, request: web.Request, kind: str) -> web.Response | Call:
        body = await request.json() if request.can_read_body else {}
        call = Call(
            kind,
            request.match_info.get("cid", ""),
            request.match_info.get("aid"),
            body,
            request.headers.get("Authorization"),
        )
        if problems := payload_problems(body):
            self.invalid.append((kind, problems))
            error = {"error": {"code": "BadArgument", "message": "; ".join(problems)[:500]}}
            return web.json_response(error, status=400)
        self.calls.append(call)
        pending = self.failures.get(kind)
        if pending:
            status, headers, error = pending.pop(0)
            return web.json_response(error, status=status, headers=headers)
        wait = self._over_limit(kind, call.conversation_id)
        if wait:
            self.rate_limited += 1
            body = {"error": {"code": "TooManyRequests", "message": "slow down"}}
            headers = {"Retry-After": str(max(1, math.ceil(wait)))}
            return web.json_response(body, status=429, headers=headers)
        return call

    def _over_limit(self, kind: str, conversation_id: str) -> float:
        if self.limits is None or kind == "member":
            return 0.0
        now = time.monotonic()
        tenant = self._budget("tenant", self.limits.per_tenant_per_second)
        budgets = [tenant]
        if conversation_id:
            budgets.append(
                self._budget(f"c:{conversation_id}", self.limits.per_conversation_per_second)
            )
        # Every budget must allow the call; a refused call spends none of them.
        snapshot = [(b.tokens, b.at) for b in budgets]
        wait = max(b.take(now) for b in budgets)
        if wait:
            for budget, (tokens, at) in zip(budgets, snapshot, strict=True):
                budget.tokens, budget.at = tokens, at
        return wait

    def _budget(self, key: str, per_second: float) -> Budget:
        if key not in self._budgets:
            self._budgets[key] = Budget(per_second, max(1.0, per_second))
        return self._budgets[key]

    async def _token(self, request: web.Request) -> web.Response:
        """Entra ID's client-credentials grant: a token for the one password it knows."""
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.token_requests.append((request.match_info["tenant"], form))
        if form.get("grant_type") != "client_credentials" or form.get("client_secret") != (
            PASSWORD
        ):
            error = {"error": "invalid_client", "error_codes": [7000215]}
            return web.json_response(error, status=401)
        token = f"fake-access-token-{len(self.token_requests)}"
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": token}
        )

    async def _openid(self, request: web.Request) -> web.Response:
        base = self.url.rstrip("/")
        tenant = request.match_info.get("tenant", "botframework.com")
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": f"{base}/keys",
                "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _keys(self, _request: web.Request) -> web.Response:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        key = {**public, "kid": KEY_ID, "use": "sig", "endorsements": ["msteams"]}
        return web.json_response({"keys": [key]})

    async def _create(self, request: web.Request) -> web.Response:
        recorded = await self._record(request, "create")
        if isinstance(recorded, web.Response):
            return recorded
        member = (recorded.body.get("members") or [{}])[0].get("id", "unknown")
        recorded.conversation_id = f"a:dm-{member}"
        return web.json_response({"id": recorded.conversation_id}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        recorded = await self._record(request, "send")
        if isinstance(recorded, web.Response):
            return recorded
        return web.json_response({"id": self._new_id(recorded)}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        recorded = await self._record(request, "reply")
        if isinstance(recorded, web.Response):
            return recorded
        return web.json_response({"id": self._new_id(recorded)}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        recorded = await self._record(request, "update")
        if isinstance(recorded, web.Response):
            return recorded
        recorded.body["id"] = recorded.activity_id
        return web.json_response({"id": recorded.activity_id}, status=200)

    async def _member(self, request: web.Request) -> web.Response:
        recorded = await self._record(request, "member")
        if isinstance(recorded, web.Response):
            return recorded
        member_id = request.match_info["mid"]
        profile = self.profiles.get(member_id)
        if profile is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "no"}}, status=404
            )
        return web.json_response({"id": member_id, "tenantId": TENANT, **profile})

    def _new_id(self, call: Call) -> str:
        new = f"m{next(self._ids)}"
        call.body["id"] = new
        return new
