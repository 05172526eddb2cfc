from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class JapaneseFirstLocaleMiddleware(LocaleMiddleware):
    """Japanese unless the user chose otherwise with the language switch.

    The browser's Accept-Language is ignored on purpose: ward terminals and shop PCs
    often ship with English system settings, and the service is Japanese-first.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
