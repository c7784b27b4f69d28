"""Pure code shared by the apps (the state-machine vocabulary): no Django imports here (a test checks it)."""
