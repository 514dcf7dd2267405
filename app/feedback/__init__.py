"""Product reviews and public questions: the read models (`query`) and what the seller does with
them (`reply`). Qt-free; the Reviews page and `main.py reviews|questions` both read through here."""
