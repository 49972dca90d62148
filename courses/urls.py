from django.urls import path

import exam_platform.converters  # noqa: F401 - registers the <id:…> converter
from courses import views

urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<id:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<id:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/<id:pk>/", views.class_detail, name="class_detail"),
    path("classes/<id:pk>/schedule/", views.class_schedule, name="class_schedule"),
]
