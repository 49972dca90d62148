from django.urls import path

from accounts import consumers

websocket_urlpatterns = [
    path("ws/ping/", consumers.PingConsumer.as_asgi()),
    path("ws/notices/", consumers.NoticeConsumer.as_asgi()),
]
