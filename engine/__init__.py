"""councilflow engine: domain and use cases. Knows nothing of the web."""
