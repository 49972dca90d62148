from django.urls import path

from accounts import consumers

websocket_urlpatterns = [
    path("ws/ping/", consumers.PingConsumer.as_asgi(), name="ws_ping"),
    path("ws/notices/", consumers.NoticeConsumer.as_asgi(), name="ws_notices"),
]
