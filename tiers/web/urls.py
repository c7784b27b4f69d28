"""Pages of the tier-list import (名单导入) for municipal officials."""

from django.urls import path

from tiers.web import tier_lists

app_name = "tiers"
urlpatterns = [
    path("", tier_lists.TierListCreateView.as_view(), name="tier-lists"),
    path("export/", tier_lists.tier_list_export_view, name="tier-list-export"),
    path("<int:pk>/", tier_lists.tier_list_detail, name="tier-list-detail"),
    path("<int:pk>/decide/", tier_lists.tier_list_decide, name="tier-list-decide"),
]
