"""Pure rules of the policy programs: subsidy formulas, eligibility, benefit-application states."""
