"""The default chat reply templates (`default.json`), read by `app.chat.templates`."""
