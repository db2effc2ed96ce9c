"""Use cases: the only layer that commits; the actor is always an explicit argument."""
