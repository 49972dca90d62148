from django.urls import path

import exam_platform.converters  # noqa: F401 - registers the <id:…> converter
from courses import consumers

websocket_urlpatterns = [
    path("ws/learn/<id:class_id>/", consumers.LessonConsumer.as_asgi(), name="ws_learn"),
]
