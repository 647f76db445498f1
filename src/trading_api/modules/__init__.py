"""Feature modules: each package here is discovered by the build, the CLI and the server."""
