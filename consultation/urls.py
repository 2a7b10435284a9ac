from django.urls import path

from consultation.comments import views as views_comments
from consultation.pages import views
from consultation.participation import views as views_participation
from consultation.proposals import views as views_proposals
from consultation.reactions import views as views_reactions
from consultation.signoffs import views as views_signoffs
from consultation.subscriptions import views as views_subscriptions

app_name = "consultation"

urlpatterns = [
    path("sections/<int:section_id>/", views.section_permalink, name="section_permalink"),
    path("sections/<int:section_id>/propose/", views_proposals.proposal_new, name="proposal_new"),
    path("proposals/<int:proposal_id>/", views_proposals.proposal_detail, name="proposal_detail"),
    path(
        "proposals/<int:proposal_id>/withdraw/",
        views_proposals.proposal_withdraw_view,
        name="proposal_withdraw",
    ),
    path("comments/post/", views_comments.comment_post, name="comment_post"),
    path("comments/<int:comment_id>/", views_comments.comment_permalink, name="comment_permalink"),
    path("comments/<int:comment_id>/reply/", views_comments.comment_reply, name="comment_reply"),
    path("comments/<int:comment_id>/flag/", views_comments.comment_flag, name="comment_flag"),
    path("papers/<int:paper_id>/follow/", views_comments.paper_follow_toggle, name="paper_follow"),
    path("papers/unfollow/<str:token>/", views_comments.paper_unfollow_link, name="paper_unfollow_link"),
    path("<int:consultation_id>/speaking-for/", views_participation.speaking_for, name="speaking_for"),
    path("<int:consultation_id>/moderation/", views_comments.moderation_log, name="moderation_log"),
    path("reactions/<slug:kind>/<int:target_id>/", views_reactions.react, name="react"),
    path("papers/<int:paper_id>/tallies/", views_reactions.paper_tallies, name="paper_tallies"),
    path("papers/<int:paper_id>/sign-off/", views_signoffs.paper_signoff, name="paper_signoff"),
    path(
        "<int:consultation_id>/register-interest/",
        views_subscriptions.register_interest,
        name="register_interest",
    ),
    path(
        "<int:consultation_id>/register-interest/check-your-inbox/",
        views_subscriptions.register_interest_sent,
        name="register_interest_sent",
    ),
    path(
        "updates/confirm/<str:token>/",
        views_subscriptions.subscription_confirm_link,
        name="subscription_confirm",
    ),
    path("updates/unsubscribe/<str:token>/", views_subscriptions.unsubscribe, name="unsubscribe"),
]
