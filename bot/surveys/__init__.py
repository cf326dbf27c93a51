"""The surveys capability."""
