"""审计: who changed or revealed what, within the role's reach and the current subtree."""
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from dangjian.audit.actions import ACTIONS

from ..forms import AuditFilter
from ..scope import scoped_audit
from .base import staff_required


def changes(entry):
    """[(field, old, new)] for the before/after of an entry, in the order the fields were written."""
    before, after = entry.before or {}, entry.after or {}
    keys = list(after) + [k for k in before if k not in after]
    return [(k, before.get(k), after.get(k)) for k in keys]


@staff_required
def audit(request):
    form = AuditFilter(request.GET)
    qs = scoped_audit(request)
    if form.is_valid():
        data = form.cleaned_data
        if data["object"]:
            qs = qs.filter(Q(object_type=data["object"]) | Q(object_label__icontains=data["object"]))
        if data["user"]:
            qs = qs.filter(actor_name__icontains=data["user"])
        if data["action"]:
            qs = qs.filter(action=data["action"])
        if data["date_from"]:
            qs = qs.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            qs = qs.filter(at__date__lte=data["date_to"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(e, ACTIONS.get(e.action, e.action), changes(e)) for e in page]
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "web/_audit_table.html" if partial else "web/audit.html",
                      {"form": form, "page": page, "rows": rows})
    patch_vary_headers(response, ("HX-Request",))
    return response
