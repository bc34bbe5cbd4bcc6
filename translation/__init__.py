"""MarianMT translation service (LibreTranslate-compatible) for Czech, German and Polish."""

from translation.cpu import drop_mkl_on_amd

# Before any module of the package imports ctranslate2 (see translation/cpu.py for why).
drop_mkl_on_amd()
