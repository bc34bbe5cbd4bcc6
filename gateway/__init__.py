"""Gateway: chat API, web chat page, translated rooms and the Telegram bot in one FastAPI app."""
