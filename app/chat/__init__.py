"""Buyer chats: what a buyer's message is about."""
