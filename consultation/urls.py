from django.urls import path

from consultation.comments import views as views_comments
from consultation.exports import views as views_exports
from consultation.exports.render import FILES as EXPORT_FILES
from consultation.exports.render import ZIP_NAME as EXPORT_ZIP
from consultation.pages import views
from consultation.participation import views as views_participation
from consultation.privacy import views as views_privacy
from consultation.proposals import views as views_proposals
from consultation.reactions import views as views_reactions
from consultation.signoffs import views as views_signoffs
from consultation.subscriptions import views as views_subscriptions
from core.converters import ID_PATTERN  # noqa: F401  (registers <id:...>)

app_name = "consultation"

urlpatterns = [
    path("sections/<id:section_id>/", views.section_permalink, name="section_permalink"),
    path("sections/<id:section_id>/propose/", views_proposals.proposal_new, name="proposal_new"),
    path("proposals/<id:proposal_id>/", views_proposals.proposal_detail, name="proposal_detail"),
    path(
        "proposals/<id:proposal_id>/withdraw/",
        views_proposals.proposal_withdraw_view,
        name="proposal_withdraw",
    ),
    path("comments/post/", views_comments.comment_post, name="comment_post"),
    path("comments/<id:comment_id>/", views_comments.comment_permalink, name="comment_permalink"),
    path("comments/<id:comment_id>/reply/", views_comments.comment_reply, name="comment_reply"),
    path("comments/<id:comment_id>/flag/", views_comments.comment_flag, name="comment_flag"),
    path("comments/<id:comment_id>/edit/", views_comments.comment_edit, name="comment_edit"),
    path("comments/<id:comment_id>/withdraw/", views_comments.comment_withdraw, name="comment_withdraw"),
    path("papers/<id:paper_id>/follow/", views_comments.paper_follow_toggle, name="paper_follow"),
    path("papers/unfollow/<str:token>/", views_comments.paper_unfollow_link, name="paper_unfollow_link"),
    path("sections/<id:section_id>/follow/", views_comments.section_follow_toggle, name="section_follow"),
    path(
        "sections/unfollow/<str:token>/", views_comments.section_unfollow_link, name="section_unfollow_link"
    ),
    path("<id:consultation_id>/speaking-for/", views_participation.speaking_for, name="speaking_for"),
    path("<id:consultation_id>/moderation/", views_comments.moderation_log, name="moderation_log"),
    path("reactions/<slug:kind>/<id:target_id>/", views_reactions.react, name="react"),
    path("papers/<id:paper_id>/tallies/", views_reactions.paper_tallies, name="paper_tallies"),
    path("papers/<id:paper_id>/sign-off/", views_signoffs.paper_signoff, name="paper_signoff"),
    path(
        "<id:consultation_id>/register-interest/",
        views_subscriptions.register_interest,
        name="register_interest",
    ),
    path(
        "<id:consultation_id>/register-interest/check-your-inbox/",
        views_subscriptions.register_interest_sent,
        name="register_interest_sent",
    ),
    path(
        "updates/confirm/<str:token>/",
        views_subscriptions.subscription_confirm_link,
        name="subscription_confirm",
    ),
    path("updates/unsubscribe/<str:token>/", views_subscriptions.unsubscribe, name="unsubscribe"),
    path("my-data/", views_privacy.my_data, name="my_data"),
    path("my-data/download/<str:token>/", views_privacy.my_data_download, name="my_data_download"),
    path("my-data/erase/", views_privacy.erase_me, name="erase_me"),
    path("my-data/erased/", views_privacy.erased, name="erased"),
    # Per-vote exports in the Pol.is shape (docs/exports.md): each file a route of its own.
    *(
        route
        for name in (EXPORT_ZIP, *EXPORT_FILES)
        for route in (
            path(
                f"papers/<id:paper_id>/exports/{name}",
                views_exports.paper_export,
                {"name": name},
                name="paper_export",
            ),
            path(
                f"papers/<id:paper_id>/versions/<id:number>/exports/{name}",
                views_exports.version_export,
                {"name": name},
                name="version_export",
            ),
            path(
                f"<id:consultation_id>/exports/{name}",
                views_exports.consultation_export,
                {"name": name},
                name="consultation_export",
            ),
        )
    ),
]
