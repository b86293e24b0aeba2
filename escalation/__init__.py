"""Escalation: cases, the staff directory, assignment, deadlines and acknowledgements."""
