"""The one exception type for expected, user-facing errors.

Its text is written for the person at the keyboard (an admin at the CLI, a staff
member on a web page). Anything else is a bug: logged with a traceback, never shown
to a business.
"""


class UserError(Exception):
    """An expected error whose message is safe and useful to show as it is."""
