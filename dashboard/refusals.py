"""Refusals: a request the dashboard will not answer, with a reason in Chinese and English.

Raised anywhere (view validation, a role check, a missing sign-in) and
turned into an HTTP answer of their status with a JSON body by the auth
package's error handlers, never into a 500.
"""
from __future__ import annotations


class Refusal(Exception):
    status = 400
    audit = False            # True: the guard writes an audit entry when it answers the refusal
    audited = False          # True when whoever raised it has written the audit entry already

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en

    def as_json(self) -> dict:
        return {"error": type(self).__name__, "status": self.status, "zh": self.zh, "en": self.en,
                "message": f"{self.zh} / {self.en}"}


class InvalidInput(Refusal, ValueError):
    """A value a client sent that is not one the dashboard offers."""
    status = 400


class OutOfScope(InvalidInput):
    """A request naming a unit or scenic area outside the user's scope (or none that exists):
    answered 400 like any invalid filter, and audited like a 403."""
    audit = True


class Forbidden(Refusal, PermissionError):
    """The signed-in user's role may not see this."""
    status = 403
    audit = True


class Unknown(Refusal, LookupError):
    """No such address (a download or script path naming nothing the server has)."""
    status = 404


class NotSignedIn(Refusal, PermissionError):
    status = 401

    def __init__(self, zh: str = "请先登录", en: str = "please sign in first"):
        super().__init__(zh, en)
