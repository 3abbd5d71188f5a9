"""Login with lockout, logout."""
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters

from dangjian.accounts.services import change_password, clear_login_failures, is_locked, record_login_failure
from dangjian.core.errors import DomainError

from ..forms import add_domain_error

DEMO_ACCOUNTS = [("admin", "系统管理员"), ("zuzhibu", "党务管理员（集团组织部）"),
                 ("shuji", "支部书记"), ("dangyuan", "党员")]


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, error_messages={"required": "请填写用户名"})
    password = forms.CharField(label="密码", widget=forms.PasswordInput, error_messages={"required": "请填写密码"})


@sensitive_post_parameters("password")
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        # The lock is checked before the password, so a locked account refuses even the right one.
        if is_locked(username):
            form.add_error(None, f"登录失败次数过多，账号已锁定{settings.LOGIN_LOCKOUT_MINUTES}分钟")
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                record_login_failure(username, request.META.get("REMOTE_ADDR"))
                form.add_error(None, "用户名或密码不正确")
            else:
                clear_login_failures(username)
                login(request, user)
                target = request.POST.get("next") or request.GET.get("next")
                if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                    target = settings.LOGIN_REDIRECT_URL
                return redirect(target)
    return render(request, "web/login.html", {
        "form": form, "next": request.GET.get("next", ""),
        "demo_accounts": DEMO_ACCOUNTS if settings.DEMO_MODE else None,
    })


class PasswordForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput, error_messages={"required": "请填写原密码"})
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput, error_messages={"required": "请填写新密码"},
                                   help_text="至少8位，不能全是数字，不能过于常见或与用户名相近")
    confirm = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput,
                              error_messages={"required": "请再次输入新密码"})

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("confirm") and data["new_password"] != data["confirm"]:
            self.add_error("confirm", "两次输入的新密码不一致")
        return data


@login_required
@sensitive_post_parameters("old_password", "new_password", "confirm")
def password_view(request):
    """修改密码, through accounts.services.change_password (every role, for its own account)."""
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change_password(request.user, actor=request.user, old_password=form.cleaned_data["old_password"],
                            new_password=form.cleaned_data["new_password"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)  # stay logged in with the new password
            messages.success(request, "密码已修改")
            return redirect("dashboard")
    return render(request, "web/form.html", {"form": form, "title": "修改密码", "submit_label": "修改",
                                             "cancel_url": "/"})


logout_view = LogoutView.as_view()  # POST only (Django 5): a link cannot log anybody out
