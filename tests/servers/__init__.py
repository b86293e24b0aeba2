"""Real servers the tests start on loopback: Dovecot, aiosmtpd, a Bot API stand-in, Indgang itself."""
