"""Custom actions of the Liberec Region assistant.

Started as ``python -m actions.server`` (``deploy/supervisord.conf``): rasa_sdk's executor behind a webhook
that listens on ``HOST`` and accepts only Rasa's shared token.

One module per concern: the actions (services, contacts, grants, documents and the fallback, language switch,
handover, form questions), what they use (``knowledge`` with its schema, ``matching``, ``grant_words``,
``document_search``, ``translation``, ``handover_store`` over ``handover_table``, ``replies``), and how the
server is put together (``settings``, ``context``, ``registry``, ``server``). Importing any module loads
nothing: the server builds the application context at start-up and hands it to every action.
"""
