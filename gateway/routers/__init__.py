"""HTTP routes of the gateway, one router per concern."""
