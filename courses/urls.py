from django.urls import path

import exam_platform.converters  # noqa: F401 - registers the <id:…> converter
from courses.views import attendance, catalogue, classes, records

urlpatterns = [
    path("programmes/", catalogue.programme_list, name="programme_list"),
    path("programmes/<id:pk>/", catalogue.programme_detail, name="programme_detail"),
    path("programmes/<id:pk>/edit/", catalogue.programme_edit, name="programme_edit"),
    path("institutions/", catalogue.institution_list, name="institution_list"),
    path("classes/", catalogue.class_list, name="class_list"),
    path("classes/<id:pk>/", classes.class_detail, name="class_detail"),
    path("classes/<id:pk>/schedule/", classes.class_schedule, name="class_schedule"),
    path("classes/<id:pk>/learners/", classes.class_learners, name="class_learners"),
    path("classes/<id:pk>/learners/template.xlsx", classes.learner_template, name="learner_template"),
    path("classes/<id:pk>/learners/<id:enrolment>/remove/", classes.learner_remove, name="learner_remove"),
    path("classes/<id:pk>/close/", classes.class_close_view, name="class_close"),
    path("classes/<id:pk>/attendance/", attendance.class_attendance, name="class_attendance"),
    path("classes/<id:pk>/attendance/sign-in-sheet.xlsx", attendance.signin_template, name="signin_template"),
    path("classes/<id:pk>/scores/", records.class_scores, name="class_scores"),
    path("classes/<id:pk>/scores/template.xlsx", records.scores_template, name="scores_template"),
    path("classes/<id:pk>/completion/", records.class_completion, name="class_completion"),
    path("classes/<id:pk>/discipline/<id:measure>/remove/", records.discipline_delete, name="discipline_delete"),
    path("classes/<id:pk>/correction/", records.class_correction, name="class_correction"),
    path("sessions/<id:pk>/attendance/", attendance.session_attendance, name="session_attendance"),
    path("sessions/<id:pk>/check-in/", attendance.check_in_screen, name="check_in_screen"),
    path("sessions/<id:pk>/check-in/state/", attendance.check_in_state, name="check_in_state"),
    path("check-in/", attendance.learner_check_in, name="learner_check_in"),
]
