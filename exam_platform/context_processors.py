from django.conf import settings

from accounts.models import OrganisationProfile


def platform(request):
    """What every page's frame needs: the site name, the mode banner, the text size."""
    return {
        "app_env": settings.APP_ENV,
        "is_demo": settings.IS_DEMO,
        "site_profile": OrganisationProfile.current,  # lazy: evaluated only when a template uses it
        "text_size": request.COOKIES.get("text_size", "m") if request.COOKIES.get("text_size") in {"s", "m", "l"}
        else "m",
    }
