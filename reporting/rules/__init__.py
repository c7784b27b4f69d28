"""Pure rules of targets and progress: no Django imports (a test checks it)."""
