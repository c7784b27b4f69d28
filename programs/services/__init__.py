"""Write use cases of the policy programs."""
