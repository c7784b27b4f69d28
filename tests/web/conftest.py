from tests.tiers.conftest import eligibility_firms  # noqa: F401 - shared fixture for the candidate pages
