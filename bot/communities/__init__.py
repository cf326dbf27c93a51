"""The communities capability."""
