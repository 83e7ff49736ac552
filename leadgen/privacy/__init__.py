"""A person's rights across every domain: what we hold about them (access) and forgetting them (erasure)."""
