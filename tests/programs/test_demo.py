"""The program demo builds on the registry demo, and a second run adds nothing."""

from programs.models import BenefitApplication
from programs.services.demo import load_benefit_demo
from reference.services.demo import load_demo_data


def test_program_demo(ref):
    load_demo_data(per_district=4, until="tiers")
    made = load_benefit_demo()
    assert made >= 2
    statuses = set(BenefitApplication.objects.values_list("status", flat=True))
    assert statuses & {"approved", "paid"}, statuses
    assert BenefitApplication.objects.filter(enterprise__district__code="110108").count() == made
    assert load_benefit_demo() == 0
