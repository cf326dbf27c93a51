"""The health capability."""
