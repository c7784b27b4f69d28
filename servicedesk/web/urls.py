"""Service-desk pages; they sit under /enterprises/ beside the enterprise page they start from."""

from django.urls import path

from servicedesk.web import views

app_name = "servicedesk"
urlpatterns = [
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("<str:code>/visits/new/", views.visit_new, name="visit-new"),
    path("<str:code>/demands/new/", views.demand_new, name="demand-new"),
]
