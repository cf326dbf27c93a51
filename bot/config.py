"""Settings from the environment or a `.env` file (names are an outside contract)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, PrivateAttr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./copbot.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    host: str = Field("127.0.0.1", validation_alias="HOST")
    port: int = Field(3978, validation_alias="PORT")
    public_url: str | None = Field(None, validation_alias="COPBOT_PUBLIC_URL")
    timezone: str = Field("UTC", validation_alias=AliasChoices("COPBOT_TIMEZONE"))
    admins: str = Field("", validation_alias="COPBOT_ADMINS")
    # Everyone's working hours unless they set their own with `hours` ("off": any time).
    work_hours: str = Field("09:00-18:00 mon-fri", validation_alias="COPBOT_WORK_HOURS")

    slack_bot_token: str | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    # Installs into many workspaces and Grid orgs (Bolt's OAuth flow; Bolt's names). With both
    # set, each workspace's token comes from the database and SLACK_BOT_TOKEN is not used.
    slack_client_id: str | None = Field(None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, validation_alias="SLACK_CLIENT_SECRET")
    slack_scopes: str = Field("", validation_alias="SLACK_SCOPES")
    slack_redirect_uri_setting: str | None = Field(None, validation_alias="SLACK_REDIRECT_URI")
    slack_authorize_url: str = Field(
        "https://slack.com/oauth/v2/authorize", validation_alias="SLACK_AUTHORIZE_URL"
    )

    microsoft_app_id: str = Field("", validation_alias="MICROSOFT_APP_ID")
    microsoft_app_password: str = Field("", validation_alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_type: str = Field("MultiTenant", validation_alias="MICROSOFT_APP_TYPE")
    microsoft_app_tenant_id: str = Field("", validation_alias="MICROSOFT_APP_TENANT_ID")
    # The Bot Framework's endpoints, public cloud by default (botbuilder's own constants); a
    # sovereign cloud sets its own, and the tests point them all at a loopback fake.
    # Entra ID's token service: the start-up check and every send ask it for a token.
    microsoft_login_url: str = Field(
        "https://login.microsoftonline.com", validation_alias="MICROSOFT_LOGIN_URL"
    )
    # The tenant a multi-tenant bot's tokens come from (US Government: its own tenant).
    microsoft_channel_auth_tenant: str = Field(
        "botframework.com", validation_alias="MICROSOFT_CHANNEL_AUTH_TENANT"
    )
    # What the tokens copbot asks for are for (the Bot Connector), and the user token service.
    microsoft_oauth_scope: str = Field(
        "https://api.botframework.com", validation_alias="MICROSOFT_OAUTH_SCOPE"
    )
    microsoft_oauth_url: str = Field(
        "https://api.botframework.com", validation_alias="MICROSOFT_OAUTH_URL"
    )
    # How incoming activities' tokens are checked: their issuer and where its signing keys are.
    microsoft_token_issuer: str = Field(
        "https://api.botframework.com", validation_alias="MICROSOFT_TOKEN_ISSUER"
    )
    microsoft_openid_metadata_url: str = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        validation_alias="MICROSOFT_OPENID_METADATA_URL",
    )
    microsoft_emulator_openid_metadata_url: str = Field(
        "https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration",
        validation_alias="MICROSOFT_EMULATOR_OPENID_METADATA_URL",
    )
    microsoft_caller_id: str = Field(
        "urn:botframework:azure", validation_alias="MICROSOFT_CALLER_ID"
    )
    microsoft_validate_authority: bool = Field(
        True, validation_alias="MICROSOFT_VALIDATE_AUTHORITY"
    )

    secret_key: str = Field("", validation_alias="COPBOT_SECRET_KEY")
    # The deployment key read from the database (see `signing_key`); not an environment value.
    _stored_key: bytes | None = PrivateAttr(None)

    heartbeat_seconds: int = Field(15, validation_alias="COPBOT_HEARTBEAT_SECONDS")
    # One line per HTTP request (paths only, see bot.access_log). Off by default: a log call
    # per request costs the event loop time on the acknowledgement path; the platforms keep
    # their own request logs.
    access_log: bool = Field(False, validation_alias="COPBOT_ACCESS_LOG")

    # Delivery pace (../shared/PLATFORMS.md): Slack allows chat.postMessage about 1/s per channel
    # and "several hundred" a minute per workspace; Teams 7/s per conversation and 50 RPS per
    # tenant (older docs: 30, the safer figure). Fake platforms in tests and benches scale these.
    slack_channel_per_second: float = Field(1.0, validation_alias="COPBOT_SLACK_CHANNEL_PER_SECOND")
    slack_workspace_per_minute: float = Field(
        240.0, validation_alias="COPBOT_SLACK_WORKSPACE_PER_MINUTE"
    )
    teams_conversation_per_second: float = Field(
        7.0, validation_alias="COPBOT_TEAMS_CONVERSATION_PER_SECOND"
    )
    teams_tenant_per_second: float = Field(30.0, validation_alias="COPBOT_TEAMS_TENANT_PER_SECOND")
    send_concurrency: int = Field(8, validation_alias="COPBOT_SEND_CONCURRENCY")
    send_timeout_seconds: float = Field(20.0, validation_alias="COPBOT_SEND_TIMEOUT_SECONDS")
    # How long a claimed message stays with its worker: after a crash, another takes it then.
    send_lease_seconds: float = Field(120.0, validation_alias="COPBOT_SEND_LEASE_SECONDS")
    outbox_retention_days: int = Field(30, validation_alias="COPBOT_OUTBOX_RETENTION_DAYS")
    anonymity_threshold: int = Field(5, validation_alias="COPBOT_ANONYMITY_THRESHOLD")
    # The local hour (in each community's timezone) the leader nudge rules are evaluated daily.
    nudge_hour: int = Field(9, validation_alias="COPBOT_NUDGE_HOUR", ge=0, le=23)
    # How long a question waits for an expert before it is offered to the next one (and, after
    # the last, to the community's channel); plain hours, weekends included.
    question_escalate_hours: float = Field(24.0, validation_alias="COPBOT_QUESTION_ESCALATE_HOURS")
    # Durable inbound work (bot.inbox): how long a claim on a request holds before another
    # worker may take it over (a crashed replica's requests wait this long), how many requests
    # run at once per process, and how long answered requests are kept to recognise retries.
    inbox_lease_seconds: float = Field(60.0, validation_alias="COPBOT_INBOX_LEASE_SECONDS")
    inbox_concurrency: int = Field(4, validation_alias="COPBOT_INBOX_CONCURRENCY")
    inbox_retention_days: int = Field(7, validation_alias="COPBOT_INBOX_RETENTION_DAYS")
    # Acknowledgements that arrive together are recorded in one transaction, and processing
    # waits for them (bot.inbox_recorder); off: one transaction per acknowledgement.
    inbox_group_commit: bool = Field(True, validation_alias="COPBOT_INBOX_GROUP_COMMIT")

    # Operations: `GET /metrics` wants `Authorization: Bearer <token>` when this is set; logs
    # are lines of text, or one JSON object per line with `json`.
    metrics_token: str = Field("", validation_alias="COPBOT_METRICS_TOKEN")
    log_format: str = Field("text", validation_alias="COPBOT_LOG_FORMAT")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        # `DATABASE_URL=` left empty in a .env means "the default", not "no database".
        if not url.strip():
            return DEFAULT_DATABASE_URL
        # Hosting platforms hand out postgres:// URLs; we always talk through async drivers.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        if url.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
        return url

    @field_validator(
        "slack_channel_per_second",
        "slack_workspace_per_minute",
        "teams_conversation_per_second",
        "teams_tenant_per_second",
    )
    @classmethod
    def _positive_rate(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("a delivery rate must be above 0")
        return value

    @field_validator("inbox_lease_seconds", "inbox_concurrency", "inbox_retention_days")
    @classmethod
    def _inbox_at_least_one(cls, value: float) -> float:
        return max(1, value)

    @field_validator("question_escalate_hours")
    @classmethod
    def _escalate_after_a_while(cls, value: float) -> float:
        # Under a minute would pass a question on before anyone could read it.
        return max(1 / 60, value)

    @field_validator("anonymity_threshold")
    @classmethod
    def _never_below_three(cls, value: int) -> int:
        return max(3, value)

    @property
    def base_url(self) -> str:
        """Where people reach this server (links in messages)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{self.port}"

    @property
    def signing_key(self) -> bytes:
        """The deployment key: signs download links and link codes, keys anonymous answers.

        `COPBOT_SECRET_KEY` when set, else the key generated once and kept in the database
        (`bot.keys.ensure_signing_key` loads it). Never a platform secret: rotating Slack's
        signing secret or Teams' password must not change anything keyed with it.
        """
        if self.secret_key:
            return self.secret_key.encode()
        if self._stored_key is None:
            raise RuntimeError("no deployment key yet: await bot.keys.ensure_signing_key")
        return self._stored_key

    @property
    def signing_key_ready(self) -> bool:
        return bool(self.secret_key) or self._stored_key is not None

    def use_stored_key(self, key: bytes) -> None:
        """Adopt the key read from the database (one Settings object per deployment)."""
        self._stored_key = key

    @property
    def microsoft_token_authority(self) -> str:
        """Where Entra ID issues this bot's tokens: its own tenant, or the channel's."""
        single = (self.microsoft_app_type or "").lower() == "singletenant"
        tenant = self.microsoft_app_tenant_id if single else self.microsoft_channel_auth_tenant
        return f"{self.microsoft_login_url.rstrip('/')}/{tenant}"

    @property
    def admin_ids(self) -> set[str]:
        """Platform user ids that are coordinators from the start."""
        return {part.strip() for part in self.admins.split(",") if part.strip()}

    @property
    def slack_oauth(self) -> bool:
        """Installs through `/slack/install` (many workspaces) rather than one bot token."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def slack_scope_list(self) -> list[str]:
        return [scope.strip() for scope in self.slack_scopes.split(",") if scope.strip()]

    @property
    def slack_redirect_uri(self) -> str | None:
        """Where Slack sends an installer back: SLACK_REDIRECT_URI, else this server's."""
        if self.slack_redirect_uri_setting:
            return self.slack_redirect_uri_setting
        return f"{self.public_url.rstrip('/')}/slack/oauth_redirect" if self.public_url else None

    @property
    def slack_enabled(self) -> bool:
        has_token = bool(self.slack_bot_token) or self.slack_oauth
        return has_token and bool(self.slack_signing_secret or self.slack_app_token)

    @property
    def host_is_loopback(self) -> bool:
        return self.host in {"127.0.0.1", "localhost", "::1"} or self.host.startswith("127.")
