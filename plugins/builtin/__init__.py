"""Built-in plugins: ordinary ``@hookimpl`` modules, registered exactly as third-party plugins are."""
