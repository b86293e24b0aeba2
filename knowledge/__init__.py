"""The curated knowledge base: entries, their import format and their history."""
