"""One Settings object: config.yml, overridden by SHAOSHENG__SECTION__KEY environment variables."""

from __future__ import annotations

import os
from datetime import date, time
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from dispatch.core.enums import Role
from dispatch.core.routing import DEFAULT_DEPARTMENTS
from dispatch.core.workdays import parse_limit
from nlu.settings import NluSettings

CONFIG_ENV = "SHAOSHENG_CONFIG"
DEFAULT_CONFIG = Path("config.yml")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key."""


class AppSettings(BaseModel):
    environment: Literal["development", "production"] = "development"
    default_language: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"
    data_dir: Path = Path("var")


class DbSettings(BaseModel):
    url: str = "sqlite+aiosqlite:///var/shaosheng.db"
    # Connections each process keeps open (PostgreSQL). Below what the process uses at once,
    # the pool opens and closes connections all the time, and each one costs a server backend.
    pool_size: int = Field(20, ge=1, le=500)


class RedisSettings(BaseModel):
    url: str | None = None  # None: the in-process implementations (embedded default)


class WebhookSettings(BaseModel):
    url: str | None = None
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(8443, ge=1, le=65535)
    path: str = "/telegram/webhook"
    max_body_bytes: int = Field(1_000_000, ge=1024)


class TelegramSettings(BaseModel):
    runtime: Literal["aiogram", "ptb"] = "aiogram"
    mode: Literal["polling", "webhook"] = "polling"
    api_base: str | None = None  # None: the real Telegram; tests point it at the stand-in
    bot_username: str = "shaosheng_bot"
    webhook: WebhookSettings = WebhookSettings()
    send_per_second: float = Field(30.0, gt=0)
    send_burst: int = Field(20, ge=1)
    private_per_second: float = Field(1.0, gt=0)
    # Group or channel chats where the bot keeps quiet instead of pointing to the private chat.
    quiet_chats: list[str] = []
    token: SecretStr | None = None  # environment only
    webhook_secret: SecretStr | None = None  # environment only


class OrgSettings(BaseModel):
    file: Path = Path("dispatch/sample/changle.yml")


class TicketSettings(BaseModel):
    number_prefix: str = Field("CL", pattern=r"^[A-Z]{1,6}$")


class EmergencySettings(BaseModel):
    # For this long after an emergency ticket, the reporter's next text, shared location or
    # shared contact is added to it (the place, the phone), not read as a new message.
    followup_minutes: int = Field(30, ge=1, le=24 * 60)


class LimitPair(BaseModel):
    claim: str
    resolve: str

    @field_validator("claim", "resolve")
    @classmethod
    def _check(cls, value: str) -> str:
        parse_limit(value)  # raises ValueError with a readable message
        return value.strip()


def _default_limits() -> dict[str, LimitPair]:
    return {
        "critical": LimitPair(claim="10m", resolve="end_of_day"),
        "high": LimitPair(claim="1h", resolve="1wd"),
        "normal": LimitPair(claim="1wd", resolve="5wd"),
        "low": LimitPair(claim="3wd", resolve="10wd"),
    }


class WorkingDaySettings(BaseModel):
    """Overrides for years the official calendar has not published yet (and corrections)."""

    extra_holidays: list[date] = []
    extra_workdays: list[date] = []
    # Working-day limits end when the office closes; a clock started outside these hours
    # starts at the next opening.
    office_hours: str = Field("08:30-17:30", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")

    @field_validator("office_hours")
    @classmethod
    def _opens_before_closing(cls, value: str) -> str:
        opens, closes = (time.fromisoformat(part) for part in value.split("-"))
        if opens >= closes:
            raise ValueError("office_hours: opening must come before closing (HH:MM-HH:MM)")
        return value

    def hours(self) -> tuple[time, time]:
        opens, closes = self.office_hours.split("-")
        return time.fromisoformat(opens), time.fromisoformat(closes)


class RatingSettings(BaseModel):
    window_working_days: int = Field(5, ge=1, le=30)


class ListSettings(BaseModel):
    """The centre's lists: a phased (阶段性) item's lead unit is reminded this many days before
    each milestone and before the expected date."""

    phased_remind_days: int = Field(3, ge=0, le=60)


class RoutingSettings(BaseModel):
    """Who is offered what: roles per category in the community, lead-unit suggestions."""

    community_roles: dict[str, list[Role]] = {"dispute": [Role.MEDIATOR, Role.GRID_WORKER]}
    default_community_roles: list[Role] = [Role.GRID_WORKER, Role.RESPONDER]
    departments: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_DEPARTMENTS.items()}
    )
    help_roles: list[Role] = [Role.VOLUNTEER]
    verify_roles: list[Role] = [Role.GRID_WORKER]
    unit_roles: list[Role] = [Role.RESPONDER]
    coordinator_roles: list[Role] = [Role.COORDINATOR]


class CoordinationSettings(BaseModel):
    digest_at: str = Field("08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class AbuseSettings(BaseModel):
    messages_per_minute: int = Field(20, ge=1)
    tickets_per_day: int = Field(10, ge=1)


class DraftSettings(BaseModel):
    # A report or help request not submitted this long after it began is reminded of once
    # (0: never).
    remind_minutes: int = Field(10, ge=0, le=24 * 60)


class SpeechSettings(BaseModel):
    """An optional speech-to-text server (OpenAI-compatible /v1/audio/transcriptions)."""

    url: str | None = Field(None, pattern=r"^https?://[^/\s]+(/[^\s]*)?$")  # None: text only
    model: str = "whisper-1"
    timeout_s: float = Field(30.0, gt=0, le=300)
    api_key: SecretStr | None = None  # environment only


class BoardSettings(BaseModel):
    channel_chat_id: str | None = None  # a Telegram channel the bot posts handled tickets to
    language: Literal["zh", "en"] = "zh"


class PrivacySettings(BaseModel):
    retention_days: int = Field(365, ge=1)


class InboxSettings(BaseModel):
    """Production's update inbox: stored before acknowledged, handled by every process."""

    concurrency: int = Field(16, ge=1, le=256)  # chats handled at once per process
    keep_hours: int = Field(72, ge=1)  # how long handled update ids turn redeliveries away


class DeskSettings(BaseModel):
    """The coordinators' web desk, served on the web port beside the board."""

    # The address people open, as their browser reaches it (https behind a proxy in
    # production). Unset: http://127.0.0.1:<web port>. An https address makes cookies Secure.
    public_url: str | None = Field(None, pattern=r"^https?://[^/\s]+(/[^\s]*)?$")
    link_minutes: int = Field(10, ge=1, le=60)  # a /desk sign-in link works once, this long
    idle_minutes: int = Field(30, ge=5, le=1440)  # a session unused this long ends
    session_hours: int = Field(12, ge=1, le=168)  # and every session ends after this long

    def url(self, web_port: int) -> str:
        return (self.public_url or f"http://127.0.0.1:{web_port}").rstrip("/")


class DemoSettings(BaseModel):
    port: int = Field(8088, ge=1, le=65535)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHAOSHENG__", env_nested_delimiter="__", extra="forbid"
    )

    app: AppSettings = AppSettings()
    db: DbSettings = DbSettings()
    redis: RedisSettings = RedisSettings()
    telegram: TelegramSettings = TelegramSettings()
    nlu: NluSettings = NluSettings()
    org: OrgSettings = OrgSettings()
    tickets: TicketSettings = TicketSettings()
    emergency: EmergencySettings = EmergencySettings()
    time_limits: dict[str, LimitPair] = Field(default_factory=_default_limits)
    working_days: WorkingDaySettings = WorkingDaySettings()
    rating: RatingSettings = RatingSettings()
    lists: ListSettings = ListSettings()
    routing: RoutingSettings = RoutingSettings()
    coordination: CoordinationSettings = CoordinationSettings()
    abuse: AbuseSettings = AbuseSettings()
    drafts: DraftSettings = DraftSettings()
    speech: SpeechSettings = SpeechSettings()
    privacy: PrivacySettings = PrivacySettings()
    board: BoardSettings = BoardSettings()
    inbox: InboxSettings = InboxSettings()
    desk: DeskSettings = DeskSettings()
    demo: DemoSettings = DemoSettings()

    @field_validator("time_limits")
    @classmethod
    def _all_urgencies(cls, value: dict[str, LimitPair]) -> dict[str, LimitPair]:
        missing = {"critical", "high", "normal", "low"} - set(value)
        if missing:
            raise ValueError(f"missing urgency levels: {', '.join(sorted(missing))}")
        return value

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        production_webhook = (
            self.app.environment == "production" and self.telegram.mode == "webhook"
        )
        if production_webhook and self.telegram.webhook_secret is None:
            raise ValueError("telegram.webhook_secret must be set in production webhook mode")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment wins over init values, which carry what config.yml says.
        return env_settings, init_settings


SECRET_KEYS = (("telegram", "token"), ("telegram", "webhook_secret"), ("speech", "api_key"))


def read_config_file(path: Path) -> dict[str, Any]:
    """Read config.yml; secrets found in it are refused so they never get committed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    for section, key in SECRET_KEYS:
        if isinstance(data.get(section), dict) and data[section].get(key) is not None:
            raise ConfigError(
                f"{section}.{key}: secrets come only from the environment "
                f"(SHAOSHENG__{section.upper()}__{key.upper()}), never from {path}"
            )
    return data


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from the config file (if any), the environment and explicit overrides."""
    path = path or Path(os.environ.get(CONFIG_ENV, DEFAULT_CONFIG))
    data = read_config_file(path) if path.exists() else {}
    for dotted, value in overrides.items():
        _set_dotted(data, dotted, value)
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from exc


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _describe(exc: ValidationError) -> str:
    lines = ["invalid configuration:"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"  {key}: {err['msg']}")
    return "\n".join(lines)


__all__ = ["ConfigError", "Settings", "load_settings"]
