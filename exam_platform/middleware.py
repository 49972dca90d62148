"""Language choice: Vietnamese unless the person chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show English to a
civil servant on an exam-room PC with an English Windows. Here only the explicit choice (the
language cookie set by the switcher) changes the language.
"""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
