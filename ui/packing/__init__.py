"""The pack station screen."""
