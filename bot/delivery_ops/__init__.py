"""The delivery_ops capability."""
