"""Every error the API answers is JSON {"code", "message", "field"} with a Chinese message; never a
traceback. Request-body validation (422) keeps django-ninja's {"detail": [...]}."""
import logging

from django.http import Http404
from ninja.errors import AuthenticationError, HttpError

from dangjian.core.errors import DomainError

from .auth import CsrfFailed

logger = logging.getLogger("dangjian.api")


class NotFound(Http404):
    """Absent, or outside what the user may see (the two are not told apart)."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def body(code, message, field=None):
    return {"code": code, "message": message, "field": field}


def install(api):
    @api.exception_handler(DomainError)
    def domain_error(request, exc):
        status = 403 if exc.code == "FORBIDDEN" else 400
        return api.create_response(request, body(exc.code, exc.message, exc.field), status=status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        message = getattr(exc, "message", None) or "请求的对象不存在或不在您的查看范围内"
        return api.create_response(request, body("NOT_FOUND", message, getattr(exc, "field", None)), status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = api.create_response(
            request, body("UNAUTHENTICATED", "未登录或接口令牌无效：请登录后使用，或提供有效的 Authorization: Bearer 令牌"),
            status=401)
        response["WWW-Authenticate"] = 'Bearer realm="dangjian"'
        return response

    @api.exception_handler(CsrfFailed)
    def csrf_failed(request, exc):
        return api.create_response(request, body("CSRF", "CSRF 校验失败：请刷新页面后重试，或改用接口令牌"), status=403)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        messages = {400: "请求格式不正确（如请求体不是有效的 JSON）", 403: "无权操作", 405: "不支持该请求方法", 429: "请求过于频繁，请稍后再试"}
        message = messages.get(exc.status_code, "请求无法处理")
        return api.create_response(request, body(f"HTTP_{exc.status_code}", message), status=exc.status_code)

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("API error on %s %s", request.method, request.path)
        return api.create_response(request, body("SERVER_ERROR", "服务器内部错误，请联系系统管理员"), status=500)
