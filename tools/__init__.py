"""Project tools run from the command line (make lint runs house_rules.py)."""
