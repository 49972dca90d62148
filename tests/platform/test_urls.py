"""No route shadows another: the URL configuration lists the busiest routes first (exam_platform/urls.py), which
is only safe while every named route still resolves to itself."""

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

SAMPLE = {"id": 7, "int": 7, "string": "x", "slug": "x", "path": "a/b", "uuid": "12345678-1234-5678-1234-567812345678"}


def _named_routes(patterns, namespace=(), kwargs=None):
    for pattern in patterns:
        route = pattern.pattern
        if not isinstance(route, RoutePattern):
            if route.regex.groups:
                continue  # a regular expression with groups: no sample path to build
            here = dict(kwargs or {})
        else:
            here = dict(kwargs or {}) | {name: SAMPLE[type(converter).__name__.removesuffix("Converter").lower()]
                                         for name, converter in route.converters.items()}
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, inner, here)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespace, pattern.name)), here


def test_every_named_route_resolves_to_itself():
    routes = list(_named_routes(get_resolver().url_patterns))
    assert {"sitting_enter", "attempt_page", "account_login", "home", "bank_list"} <= {name for name, _ in routes}
    shadowed = []
    for name, kwargs in routes:
        url = reverse(name, kwargs=kwargs)
        if resolve(url).view_name != name:
            shadowed.append((name, url, resolve(url).view_name))
    assert shadowed == []


def test_the_exam_day_routes_are_matched_first():
    """A start's three requests pass only the home, health and liveness routes on the way."""
    assert len(resolve(reverse("sitting_enter", args=[7])).tried) <= 4  # the three, and the match itself


def test_no_route_takes_an_unbounded_integer():
    """``<int:…>`` matches any number of digits and a 20-digit id reaches the database (a 500 on SQLite)."""
    from exam_platform.routing import websocket_urlpatterns

    def converters(patterns):
        for pattern in patterns:
            if isinstance(pattern.pattern, RoutePattern):
                yield from (type(c).__name__ for c in pattern.pattern.converters.values())
            if isinstance(pattern, URLResolver):
                yield from converters(pattern.url_patterns)

    assert "IntConverter" not in set(converters(get_resolver().url_patterns)) | set(converters(websocket_urlpatterns))


def test_a_twenty_digit_id_is_not_found(client, make_user):
    client.force_login(make_user())  # signed in: the id would reach the database
    assert client.get("/attempts/99999999999999999999/").status_code == 404
    assert client.get("/exams/99999999999999999999/").status_code == 404
    assert client.post("/attempts/99999999999999999999/save/", {"item": 0, "seq": 1, "value": None},
                       content_type="application/json").status_code == 404
