from django.urls import path

from reporting.web import views

app_name = "reporting"
urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("districts/<str:code>/", views.DistrictView.as_view(), name="district"),
    path("reports/", views.ReportsView.as_view(), name="reports"),
    path("reports/<int:pk>/row/", views.report_row, name="report-row"),
]
