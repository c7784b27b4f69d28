from django.urls import path

from enterprises.web import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("import/", views.ImportCreateView.as_view(), name="import"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("import/<int:pk>/errors.csv", views.import_errors_download, name="import-errors"),
    path("<str:code>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<str:code>/facts/", views.year_facts_edit, name="year-facts"),
]
