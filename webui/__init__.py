"""councilflow's interfaces: the web app, the REST API and the command line."""
