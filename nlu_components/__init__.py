"""Custom Rasa NLU components of the Liberec Region assistant (referenced from config.yml).

Rasa imports this package when it loads the pipeline, in its own process; `rasa_speedups.install()` removes a
per-message waste of Rasa 3.6 there (see that module) without changing what Rasa does.
"""

from nlu_components import rasa_speedups

rasa_speedups.install()
