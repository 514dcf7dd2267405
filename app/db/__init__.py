"""Database access: engine setup, tables, unit of work, migrations."""
