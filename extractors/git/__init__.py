"""Git: commits and refs of any local clone, read with the ``git`` command line."""
