"""Indgang: one entry point where businesses reach their municipality by email or chat."""
