"""Scoring the assistant on a questions file through the gateway chat API: python -m evaluation.run_eval."""
