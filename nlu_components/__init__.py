"""Custom Rasa NLU components of the Liberec Region assistant (referenced from config.yml)."""
