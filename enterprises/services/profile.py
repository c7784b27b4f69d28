"""Recording an enterprise's eligibility facts (its profile): what the tier criteria read beyond the yearly figures."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from enterprises.models import EligibilityProfile, Enterprise
from zjtx.access import Action, can
from zjtx.errors import DomainError, NotFound

PROFILE_FIELDS = (
    "niche_market_since",
    "high_tech",
    "innovation_honour",
    "rd_institution",
    "award_level",
    "award_year",
    "award_rank",
    "maker_china",
    "maker_china_year",
    "ip_grade",
    "strategic_emerging",
    "product_domain",
    "digital_level",
    "quality_items",
    "local_feature_points",
    "info_system",
    "management_certification",
    "national_market_share",
    "own_brand",
    "chain_key_link",
    "key_field",
)
_CHOICE_FIELDS = frozenset({"rd_institution", "award_level", "maker_china", "ip_grade", "product_domain"})


@transaction.atomic
def profile_update(*, actor: Any, enterprise: Enterprise, **fields: Any) -> EligibilityProfile:
    """Record the facts the criteria need beyond the yearly figures (district staff of the enterprise)."""
    if not can(actor, Action.CHANGE, enterprise):
        raise NotFound(_("No such enterprise."))
    profile = EligibilityProfile.objects.select_for_update().filter(
        enterprise=enterprise
    ).first() or EligibilityProfile(enterprise=enterprise)
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise DomainError(_("The field %(field)s cannot be changed here.") % {"field": name}, field=name)
        setattr(profile, name, "" if value is None and name in _CHOICE_FIELDS else value)
    profile.full_clean()
    profile.save()
    return profile
