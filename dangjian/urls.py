from django.urls import include, path

from dangjian.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("ledger/", include("dangjian.ledger.urls")),
    path("", include("dangjian.web.urls")),
]
