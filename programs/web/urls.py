from django.urls import path

from programs.web import views

app_name = "programs"
urlpatterns = [
    path("", views.PolicyListView.as_view(), name="list"),
    path("<slug:code>/", views.PolicyDetailView.as_view(), name="detail"),
]
