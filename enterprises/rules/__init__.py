"""Pure domain rules of the enterprise registry: no Django imports here (a test checks it)."""
