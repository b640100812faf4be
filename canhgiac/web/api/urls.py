"""/api/v1/: the operations django-ninja makes from views.py, and its document at
openapi.json. Every view is CSRF-exempt as before: none reads a session (officers' calls
need a token, auth.py), so a cookie alone reaches nothing it did not reach before."""

from django.urls import URLPattern

from canhgiac.web.api.errors import json_405
from canhgiac.web.api.views import api

patterns, _, _ = api.urls
for pattern in patterns:
    if isinstance(pattern, URLPattern):
        pattern.callback = json_405(pattern.callback)

app_name = "api"
urlpatterns = patterns
