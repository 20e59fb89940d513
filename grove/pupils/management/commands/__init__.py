"""Commands: seed_demo builds the demo trusts."""
