from django.urls import path

from exams import consumers

websocket_urlpatterns = [
    path("ws/attempt/<int:attempt_id>/", consumers.AttemptConsumer.as_asgi(), name="ws_attempt"),
    path("ws/console/<int:room_session_id>/", consumers.ConsoleConsumer.as_asgi(), name="ws_console"),
]
