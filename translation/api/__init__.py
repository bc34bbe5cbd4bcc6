"""HTTP routers of the translation service."""
