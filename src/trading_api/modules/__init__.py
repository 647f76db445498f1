"""Feature modules: every package in this folder is discovered by the build, the CLI and the server."""
