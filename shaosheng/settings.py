"""One Settings object: config.yml, overridden by SHAOSHENG__SECTION__KEY environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from nlu.settings import NluSettings
from shaosheng.rules import (
    CoordinationSettings,
    DraftSettings,
    EmergencySettings,
    LimitPair,
    ListSettings,
    RatingSettings,
    RoutingSettings,
    TicketSettings,
    WorkingDaySettings,
    default_limits,
)

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


class AbuseSettings(BaseModel):
    messages_per_minute: int = Field(20, ge=1)
    tickets_per_day: int = Field(10, ge=1)


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
    time_limits: dict[str, LimitPair] = Field(default_factory=default_limits)
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
