from django.conf import settings
from django.utils.functional import SimpleLazyObject

from accounts.models import OrganisationProfile
from exams.candidate.room_scope import is_exam_room_session


def platform(request):
    """What every page's frame needs: the site name, the mode banner, the text size; whether the session is an
    exam-room one (its menu shows only the candidate's exam page, and it opens no notices channel)."""
    session = getattr(request, "session", None)
    return {
        "exam_room_session": session is not None and is_exam_room_session(session),
        "app_env": settings.APP_ENV,
        "is_demo": settings.IS_DEMO,
        # From the cache (cleared when the profile is saved), and only when the template uses it.
        "site_profile": SimpleLazyObject(OrganisationProfile.for_pages),
        "text_size": request.COOKIES.get("text_size", "m") if request.COOKIES.get("text_size") in {"s", "m", "l"}
        else "m",
    }
