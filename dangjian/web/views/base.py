"""What every page shares: the role gate, and the form view that hands its input to one service."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.generic import FormView

from dangjian.core.errors import DomainError

from ..forms import add_domain_error
from ..scope import STAFF_KINDS, kind_of

FORBIDDEN_PAGE = "您的角色不能使用此页面"


def role_required(*kinds):
    """Anonymous users go to the login page; a role outside `kinds` (or no role at all) gets 403."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if kind_of(request.user) not in kinds:
                raise PermissionDenied(FORBIDDEN_PAGE)
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


staff_required = role_required(*STAFF_KINDS)


class ServiceFormView(LoginRequiredMixin, FormView):
    """A form whose valid input goes to one service function with actor=request.user.

    Subclasses set `kinds`, `title`, and write `load()` (fetch the object through a scoped queryset:
    absent → 404), `allowed()` (the role may change it: else 403) and `perform(form)` (call the service,
    return the object whose page to show next)."""

    template_name = "web/form.html"
    kinds = STAFF_KINDS
    title = ""
    submit_label = "保存"
    success_message = "已保存"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if kind_of(request.user) not in self.kinds:
            raise PermissionDenied(FORBIDDEN_PAGE)
        self.load()
        if not self.allowed():
            raise PermissionDenied("无权操作：该对象不在您的管理范围内")
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        pass

    def allowed(self):
        return True

    def form_extras(self):
        return {}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | self.form_extras()

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.get_title(), submit_label=self.submit_label,
                                        cancel_url=self.cancel_url(), **kwargs)

    def get_title(self):
        return self.title

    def cancel_url(self):
        return "/"

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(result)

    def perform(self, form):
        raise NotImplementedError
