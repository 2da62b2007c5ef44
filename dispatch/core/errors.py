"""Domain errors: each carries a catalogue key and parameters for the person who caused it."""

from __future__ import annotations

from typing import Any

from dispatch.core.i18n import translate


class ShaoshengError(Exception):
    """Base of every error a person should read; rendered by one handler in their language."""

    key = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, language: str) -> str:
        return translate(self.key, language, **self.params)


class NotFound(ShaoshengError):
    key = "error.not_found"


class InvalidTransition(ShaoshengError):
    key = "error.invalid_transition"

    def message(self, language: str) -> str:
        status = translate(f"status.{self.params['status']}", language)
        action = translate(f"action.{self.params['action']}", language)
        return translate(self.key, language, status=status, action=action)


class InvitationError(ShaoshengError):
    key = "error.invitation_invalid"

    def message(self, language: str) -> str:
        reason = translate(self.params["reason_key"], language)
        return translate(self.key, language, reason=reason)


class PermissionDenied(ShaoshengError):
    key = "error.permission_denied"


class Invalid(ShaoshengError):
    """What was asked is not possible as given (a date in the past, a list that does not apply,
    a missing reason): the message says what is wrong. "No permission" is PermissionDenied's
    alone and means exactly that."""

    key = "error.invalid"

    def message(self, language: str) -> str:
        params = {k: v.get(language) or v.get("zh") if isinstance(v, dict) else v
                  for k, v in self.params.items()}
        if "status" in params:
            params["status"] = translate(f"status.{params['status']}", language)
        return translate(self.key, language, **params)


class AlreadyClaimed(ShaoshengError):
    key = "error.already_claimed"


class TokenRefused(ShaoshengError):
    """The Bot API answered 401: said without the token, which the libraries' own errors quote."""

    key = "error.token_refused"


class OrgFileError(ShaoshengError):
    key = "error.org_file"
