"""MarianMT translation service (LibreTranslate-compatible) for Czech, German and Polish."""
