"""The lessons capability."""
