from django.urls import path

import exam_platform.converters  # noqa: F401 - registers the <id:…> converter
from accounts import qualification_views, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("me/", views.my_profile, name="my_profile"),
    path("people/", views.people_list, name="people_list"),
    path("people/import/", views.people_import, name="people_import"),
    path("people/import/template.xlsx", views.people_import_template, name="people_import_template"),
    path("people/<id:pk>/", views.person_detail, name="person_detail"),
    path("people/<id:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<id:pk>/roles/", views.person_roles, name="person_roles"),
    path("people/<id:pk>/activation-code/", views.person_activation_code, name="person_activation_code"),
    path("people/<id:pk>/activation-email/", views.person_activation_email, name="person_activation_email"),
    # What a person holds (accounts/qualifications.py): HR's outside entries, the scans, the kinds, each rank's need.
    path("people/<id:pk>/qualifications/add/", qualification_views.qualification_add, name="qualification_add"),
    path("people/<id:pk>/qualifications/<id:entry>/edit/", qualification_views.qualification_edit,
         name="qualification_edit"),
    path("people/<id:pk>/qualifications/<id:entry>/remove/", qualification_views.qualification_remove,
         name="qualification_remove"),
    path("people/<id:pk>/qualifications/<id:entry>/scan/", qualification_views.qualification_scan,
         name="qualification_scan"),
    path("people/qualifications/", qualification_views.qualification_settings, name="qualification_settings"),
    path("people/qualifications/kinds/add/", qualification_views.qualification_kind_add,
         name="qualification_kind_add"),
    path("people/qualifications/kinds/<id:pk>/rename/", qualification_views.qualification_kind_edit,
         name="qualification_kind_edit"),
    path("people/qualifications/kinds/<id:pk>/remove/", qualification_views.qualification_kind_remove,
         name="qualification_kind_remove"),
    path("people/qualifications/ranks/<id:pk>/", qualification_views.rank_requirement_set,
         name="rank_requirement_set"),
    path("activate/", views.activate, name="activate"),
    path("two-factor/enrolment-code/", views.enrolment_code_send, name="enrolment_code_send"),
    path("activate/<id:pk>/<str:code>/", views.activate_link, name="activate_link"),
    path("units/", views.unit_list, name="unit_list"),
    path("audit/", views.audit_list, name="audit_list"),
    path("organisation/", views.profile_edit, name="profile_edit"),
    path("notices/send/", views.notice_send_view, name="notice_send"),
]
