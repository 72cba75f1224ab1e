"""Speed and quality comparisons measured side by side in one run: ``python -m benchmarks.<name>``."""
