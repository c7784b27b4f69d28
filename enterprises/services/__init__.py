"""Write operations of the enterprise registry, one function per use case."""
