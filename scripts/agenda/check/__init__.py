"""agenda check: bytes -> loaded documents -> schema and text rules -> cross-file rules -> problems."""
