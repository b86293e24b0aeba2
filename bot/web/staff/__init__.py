"""The staff workspace: where people take over from the bot, and admins curate knowledge."""
