from django.urls import path

from programs.web import matching, views

app_name = "programs"
urlpatterns = [
    path("", views.PolicyListView.as_view(), name="list"),
    # Before the policy pages: their <slug:code> would take these names.
    path("matches/", matching.UnclaimedMatchesView.as_view(), name="matches"),
    path("uptake/", matching.UptakeView.as_view(), name="uptake"),
    path("uptake/export/", matching.UptakeExportView.as_view(), name="uptake-export"),
    path(
        "benefits/new/<str:code>/<int:measure_id>/",
        matching.benefit_application_new,
        name="benefit-new",
    ),
    path("<slug:code>/", views.PolicyDetailView.as_view(), name="detail"),
]
