from django.urls import path

from contests import participant_views, views

urlpatterns = [
    path("", views.contest_list, name="contest_list"),
    path("<id:pk>/", views.contest_detail, name="contest_detail"),
    path("<id:pk>/groups/", views.group_add, name="contest_group_add"),
    path("<id:pk>/groups/<id:group>/", views.group_edit, name="contest_group_edit"),
    path("<id:pk>/groups/<id:group>/remove/", views.group_remove, name="contest_group_remove"),
    path("<id:pk>/rounds/", views.round_add, name="contest_round_add"),
    path("<id:pk>/numbers/", views.number_release_page, name="contest_number_release"),
    path("rounds/<id:pk>/", views.round_detail, name="contest_round"),
    path("rounds/<id:pk>/remove/", views.round_remove, name="contest_round_remove"),
    path("rounds/<id:pk>/groups/", views.round_group_add, name="contest_round_group_add"),
    path("rounds/<id:pk>/groups/<id:setting>/", views.round_group_edit, name="contest_round_group_edit"),
    path("rounds/<id:pk>/groups/<id:setting>/remove/", views.round_group_remove, name="contest_round_group_remove"),
    path("rounds/<id:pk>/close/", views.round_step, {"step": "close"}, name="contest_round_close"),
    path("rounds/<id:pk>/approve/", views.round_step, {"step": "approve"}, name="contest_round_approve"),
    path("rounds/<id:pk>/publish/", views.round_step, {"step": "publish"}, name="contest_round_publish"),
    path("rounds/<id:pk>/entries/<id:entry>/void/", views.entry_void, name="contest_entry_void"),
    path("rounds/<id:pk>/standings/<id:standing>/decide/", views.standing_decide, name="contest_standing_decide"),
    path("rounds/<id:pk>/ranking.xlsx", views.round_list_download, {"list_kind": "ranking"},
         name="contest_round_ranking_xlsx"),
    path("rounds/<id:pk>/winners.xlsx", views.round_list_download, {"list_kind": "winners"},
         name="contest_round_winners_xlsx"),
    path("rounds/<id:pk>/decision.docx", views.round_decision_download, name="contest_round_decision"),
    # The public page and the participant's (docs/contests.md, "Joining", "Entries").
    path("<id:pk>/public/", participant_views.contest_public, name="contest_public"),
    path("<id:pk>/signup/", participant_views.contest_signup, name="contest_signup"),
    path("<id:pk>/join/", participant_views.contest_join, name="contest_join"),
    path("rounds/<id:pk>/take/", participant_views.participant_round, name="contest_participant_round"),
    path("entries/<id:pk>/", participant_views.entry_paper, name="contest_entry"),
    path("entries/<id:pk>/submit/", participant_views.entry_submit_view, name="contest_entry_submit"),
    path("entries/<id:pk>/result/", participant_views.entry_result, name="contest_entry_result"),
]
