"""The book's tooling, run as modules from the repository root: ``python -m scripts.<name>``."""
