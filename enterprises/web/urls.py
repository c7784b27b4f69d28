from django.urls import path

from enterprises.web import servicedesk, tier_lists, views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("import/", views.ImportCreateView.as_view(), name="import"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("import/<int:pk>/errors.csv", views.import_errors_download, name="import-errors"),
    path("tier-lists/", tier_lists.TierListCreateView.as_view(), name="tier-lists"),
    path("tier-lists/export/", tier_lists.tier_list_export_view, name="tier-list-export"),
    path("tier-lists/<int:pk>/", tier_lists.tier_list_detail, name="tier-list-detail"),
    path("tier-lists/<int:pk>/decide/", tier_lists.tier_list_decide, name="tier-list-decide"),
    path("demands/<int:pk>/", servicedesk.demand_detail, name="demand"),
    path("<str:code>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<str:code>/visits/new/", servicedesk.visit_new, name="visit-new"),
    path("<str:code>/demands/new/", servicedesk.demand_new, name="demand-new"),
]
