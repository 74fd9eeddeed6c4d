"""The scoring engine: pure Python + NumPy, no web framework, database or I/O."""
