"""The meetings capability."""
