"""The experts capability."""
