"""The web chat: a page at /chat, an embeddable widget, live replies over server-sent events.

``channel.WebChatChannel`` is the Channel the outbox sends through; ``routes.routes`` are
the HTTP endpoints the Starlette app mounts. A chat session is an HttpOnly cookie; its id
is the business's address on this channel, so the pipeline threads it like any chat.
"""
