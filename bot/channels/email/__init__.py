"""Email: parse inbound mail into a neutral Message and compose outbound replies."""
