from django.urls import path

import exam_platform.converters  # noqa: F401 - registers the <id:…> converter
from exams.examday import consumers

websocket_urlpatterns = [
    path("ws/attempt/<id:attempt_id>/", consumers.AttemptConsumer.as_asgi(), name="ws_attempt"),
    path("ws/console/<id:room_session_id>/", consumers.ConsoleConsumer.as_asgi(), name="ws_console"),
]
