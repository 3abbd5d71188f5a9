"""Refuse a NUL character anywhere in a request: PostgreSQL cannot store it in text and would answer with
an error the user cannot read. One check here instead of one in every form, filter and API schema."""
from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "请求中含有不可见的空字符（NUL），请删除后重试"
# Where a NUL can hide: raw, percent-encoded (forms, queries) or escaped (JSON bodies).
_MARKS = (b"\x00", b"%00", b"\\u0000")


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "NUL_CHARACTER", "message": MESSAGE, "field": None}, status=400,
                                json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request):
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            return True
        if request.content_type == "multipart/form-data":
            # The form's fields, not its files: an uploaded workbook is binary (a zip) and its cells are
            # checked by the importer.
            return any("\x00" in value for _, values in request.POST.lists() for value in values)
        body = request.body if request.method in ("POST", "PUT", "PATCH") else b""
        return any(mark in body for mark in _MARKS)
