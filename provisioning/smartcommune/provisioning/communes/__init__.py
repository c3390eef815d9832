"""The provider API over the commune registry."""
