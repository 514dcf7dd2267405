"""Qt translations (.ts sources and compiled .qm), read through resources.path()."""
