"""Who is calling: an API token (`Authorization: Bearer <token>`) or the browser's session.

A token is looked up by its SHA-256 (`ApiToken.digest`); the text itself is never stored. A session
request must pass Django's CSRF check on unsafe methods, as a page form would. A request that carries
an `Authorization` header is judged by that header alone: a wrong token is 401 even with a session.
"""
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from dangjian.accounts.models import ApiToken


class CsrfFailed(Exception):
    """A session request without a valid CSRF token (answered 403 by the API's handler)."""


class TokenAuth(HttpBearer):
    def __call__(self, request):
        header = request.headers.get(self.header)
        if not header:
            return None  # no header: let the session decide
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError()
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        record = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token)).first()
        if record is None or not record.user.is_active:
            raise AuthenticationError()
        request.user = record.user
        return record.user


class SessionCsrfAuth(APIKeyCookie):
    """Django's session, with the CSRF check on unsafe methods. An anonymous request is not checked
    for CSRF (it is refused as 401, not 403)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def __call__(self, request):
        if request.headers.get("Authorization"):
            return None  # judged by TokenAuth only
        user = getattr(request, "user", None) or AnonymousUser()
        if not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed()
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return None
