//! Reads `__version__` and the module docstring from Python source without executing it.
//! TODO (issue 3).
