"""The privacy_ops capability."""
