"""The data-quality index as the public API serves it: the registry's figures with the policy's maximum input age."""
