"""Domain types: frozen dataclasses that cross layers. ORM rows never leave app/repos."""
