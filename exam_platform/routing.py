"""Websocket routes of every app, gathered in one place."""

from accounts.routing import websocket_urlpatterns as accounts_ws
from courses.routing import websocket_urlpatterns as courses_ws
from exams.routing import websocket_urlpatterns as exams_ws

websocket_urlpatterns = [*accounts_ws, *exams_ws, *courses_ws]
