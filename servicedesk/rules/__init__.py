"""Pure rules of the service desk: no Django imports here (a test checks it)."""
