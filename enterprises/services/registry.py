"""Creating and changing enterprises and their yearly facts, one at a time (forms, API, admin)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, EnterpriseYearFact
from zjtx.access import Action, can, district_writable
from zjtx.errors import DomainError, NotFound
from zjtx.privacy import is_phone

EDITABLE = (
    "name",
    "district",
    "industry",
    "founded_on",
    "size_class",
    "listing_status",
    "listed_on",
    "main_product",
    "contact_name",
    "contact_phone",
)


def _require_district(actor: Any, district_id: int | None) -> None:
    if not district_writable(actor, district_id):
        raise DomainError(
            _("You can only register enterprises in your own district."), code="out_of_scope", field="district"
        )


def _check_phone(phone: str | None) -> None:
    # The same check as the importer's: forms and the API accept the numbers an import accepts.
    if phone and not is_phone(phone):
        raise DomainError(
            _("Not a phone number: digits, spaces, +, - and brackets, 5 to 30 characters."), field="contact_phone"
        )


@transaction.atomic
def enterprise_create(*, actor: Any, credit_code: str, **fields: Any) -> Enterprise:
    enterprise = Enterprise(credit_code=credit_code, **fields)
    _require_district(actor, enterprise.district_id)
    _check_phone(enterprise.contact_phone)
    enterprise.full_clean()
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_update(*, actor: Any, enterprise: Enterprise, **fields: Any) -> Enterprise:
    if not can(actor, Action.CHANGE, enterprise):
        raise NotFound(_("No such enterprise."))
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    for name, value in fields.items():
        if name not in EDITABLE:
            raise DomainError(_("The field %(field)s cannot be changed here.") % {"field": name}, field=name)
        setattr(locked, name, value)
    _require_district(actor, locked.district_id)
    if "contact_phone" in fields:
        _check_phone(locked.contact_phone)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def year_fact_upsert(*, actor: Any, enterprise: Enterprise, year: int, **values: Any) -> EnterpriseYearFact:
    if not can(actor, Action.CHANGE, enterprise):
        raise NotFound(_("No such enterprise."))
    fact = EnterpriseYearFact.objects.select_for_update(of=("self",)).filter(
        enterprise=enterprise, year=year
    ).first() or EnterpriseYearFact(enterprise=enterprise, year=year)
    for name, value in values.items():
        setattr(fact, name, value)
    fact.full_clean()
    fact.save()
    return fact
