"""ASGI entry point: HTTP through Django, websockets through channels behind origin, auth and access checks."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_platform.settings")

from exam_platform.lanes import get_lane_asgi_application  # noqa: E402

# Sets Django up before the consumers import models. Requests run on a few long-lived threads (lanes.py).
django_asgi_app = get_lane_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from exam_platform.middleware import SocketAccessMiddleware  # noqa: E402
from exam_platform.routing import websocket_urlpatterns  # noqa: E402
from exam_platform.shared_pages import SharedPageCache  # noqa: E402

# SharedPageCache: pages the same for every anonymous reader answered from memory (shared_pages.py).
# SocketAccessMiddleware: the same verdict as the HTTP pages' (the exam-room scope, the staff's second factor).
application = ProtocolTypeRouter(
    {
        "http": SharedPageCache(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(SocketAccessMiddleware(URLRouter(websocket_urlpatterns)))),
    }
)

from exam_platform.runtime import tune_garbage_collector  # noqa: E402

tune_garbage_collector()  # everything above is loaded: freeze it, and collect less often (runtime.py)
