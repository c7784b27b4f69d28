"""Pure rules of the tier lifecycle and the eligibility criteria: no Django imports here (a test checks it)."""
