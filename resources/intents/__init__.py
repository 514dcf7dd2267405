"""Rule sets of the buyer-intent classifier (`app.chat.intents`), one JSON file a language."""
