from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials
) -> HttpResponse:
    """What django-axes answers once a username/address pair is locked out.

    The API's login view already answers 429 in DRF's shape; the admin login gets a page.
    """
    if (
        isinstance(original_response, HttpResponse)
        and original_response.status_code == 429
    ):
        return original_response
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": "Too many failed sign-in attempts; try again later.",
                "code": "throttled",
            },
            status=429,
        )
    return render(request, "accounts/lockout.html", status=429)
