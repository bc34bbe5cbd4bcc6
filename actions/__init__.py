"""Custom actions of the Liberec Region assistant.

Started as a rasa_sdk action server: ``rasa run actions --actions actions``.

One module per concern: services, contacts, grants, documents (and fallback), language switch, handover.
``actions.startup`` loads and checks the knowledge when the action server imports this package.
"""
