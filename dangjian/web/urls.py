from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_view, name="password_change"),
    path("scope/", views.choose_scope, name="set_scope"),
    path("orgs/", views.org_tree, name="org_tree"),
    path("orgs/new/", views.OrgCreate.as_view(), name="org_create"),
    path("orgs/<str:code>/", views.org_detail, name="org_detail"),
    path("orgs/<str:code>/edit/", views.OrgEdit.as_view(), name="org_edit"),
    path("orgs/<str:code>/move/", views.OrgMove.as_view(), name="org_move"),
    path("orgs/<str:code>/posts/new/", views.PostCreate.as_view(), name="post_create"),
    path("orgs/<str:code>/elections/new/", views.ElectionCreate.as_view(), name="election_create"),
    path("posts/<int:pk>/edit/", views.PostEdit.as_view(), name="post_edit"),
    path("elections/<int:pk>/edit/", views.ElectionEdit.as_view(), name="election_edit"),
    path("members/", views.roster, name="roster"),
    path("members/export/", views.roster_export, name="roster_export"),
    path("members/new/", views.MemberCreate.as_view(), name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
    path("members/<int:pk>/edit/", views.MemberEdit.as_view(), name="member_edit"),
    path("members/<int:pk>/confirm/", views.MemberConfirm.as_view(), name="member_confirm"),
    path("members/<int:pk>/transfer/", views.MemberTransfer.as_view(), name="member_transfer"),
    path("members/<int:pk>/exit/", views.MemberExit.as_view(), name="member_exit"),
    path("members/<int:pk>/suspend/", views.MemberSuspend.as_view(), name="member_suspend"),
    path("members/<int:pk>/restore/", views.MemberRestore.as_view(), name="member_restore"),
    path("audit/", views.audit, name="audit"),
]
