"""The control schema: the catalog of communes and everything the provider runs across them."""
