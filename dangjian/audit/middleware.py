"""Each request starts its own audit batch, so the entries one page or API call writes are grouped."""
from .services import new_batch


class AuditBatchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        new_batch()
        return self.get_response(request)
