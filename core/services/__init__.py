"""Use cases: plain classes taking ports in their constructors, returning reports, never printing."""
