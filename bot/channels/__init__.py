"""Channel adapters: the only code that knows about email, Telegram or web sockets.

Each adapter offers the ``bot.types.Channel`` interface: ``run(inbox)`` receives and
``send(reply)`` delivers.
"""
