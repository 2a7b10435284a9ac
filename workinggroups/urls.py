from django.urls import path

from core.converters import ID_PATTERN  # noqa: F401  (registers <id:...>)

from . import views

app_name = "workinggroups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("invitations/<str:token>/", views.invitation_detail, name="invitation"),
    path("<slug:slug>/", views.group_detail, name="detail"),
    path("<slug:slug>/join/", views.group_join, name="join"),
    path("<slug:slug>/join/<id:pk>/withdraw/", views.join_request_cancel, name="join_withdraw"),
    path("<slug:slug>/leave/", views.group_leave, name="leave"),
    path("<slug:slug>/manage/", views.group_manage, name="manage"),
    path(
        "<slug:slug>/manage/invitations/<id:pk>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<slug:slug>/manage/requests/<id:pk>/", views.join_request_decide, name="join_request_decide"),
    path("<slug:slug>/manage/members/<id:pk>/role/", views.membership_role, name="membership_role"),
    path("<slug:slug>/manage/members/<id:pk>/remove/", views.membership_remove, name="membership_remove"),
]
