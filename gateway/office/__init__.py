"""The office side (issue 13): staff sign-in, handed-over conversations, what the documents miss."""
