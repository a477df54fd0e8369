"""HTTP routes: thin handlers that decode (automatically), call the store, and return a Struct."""
