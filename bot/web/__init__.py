"""The web side of `indgang serve`: one Starlette app for the web chat and the staff workspace."""
