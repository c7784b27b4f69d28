"""Read-only pages of the policy programs: every policy with its measures, rules, units and commitments."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.views.generic import TemplateView

from programs.models import Measure, MeasureGroup, SubsidyRule
from programs.selectors import policies_for
from zjtx.page_sections import POLICIES_PAGE, page_sections
from zjtx.web import RoleRequiredMixin, scoped_or_404


class PolicyListView(RoleRequiredMixin, TemplateView):
    template_name = "programs/policy_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        policies = policies_for(user).select_related("jurisdiction").prefetch_related("tiers")
        if getattr(user, "jurisdiction_id", None):
            policies = policies.filter(jurisdiction_id=user.jurisdiction_id)
        context.update(page_sections(POLICIES_PAGE, user), policies=policies, today=timezone.localdate())
        return context


class PolicyDetailView(RoleRequiredMixin, TemplateView):
    template_name = "programs/policy_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        policy = scoped_or_404(
            policies_for(self.request.user).select_related("jurisdiction").prefetch_related("tiers", "commitments"),
            self.request,
            code=kwargs["code"],
        )
        rules: dict[int, list[SubsidyRule]] = defaultdict(list)
        for rule in SubsidyRule.objects.filter(measure__policy=policy).order_by("effective_from"):
            rules[rule.measure_id].append(rule)
        groups = MeasureGroup.objects.filter(policy=policy).prefetch_related(
            "units",
            Prefetch("measures", queryset=Measure.objects.prefetch_related("tiers", "units").order_by("sort_order")),
        )
        context.update(policy=policy, groups=groups, rules=rules, today=timezone.localdate())
        return context
