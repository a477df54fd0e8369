"""The OpenAPI document: declared next to the handlers, finished in one place, served as committed.

- ``extras.py``: what a handler adds to its operation (``opt={"openapi": Extras(...)}``): links,
  parameters it reads itself, stream content, examples;
- ``document.py``: ``document(app)``, Litestar's document with those declarations applied;
- ``components.py``: the components from msgspec's schemas of the Structs;
- ``examples.py``: examples from the seed events;
- ``serving.py``: the OpenAPI config, the schema files and the offline docs page.
"""

from __future__ import annotations

from api.http.openapi.document import BrokenLink, check_links, document, render
from api.http.openapi.extras import Extras, Link
from api.http.openapi.serving import DOCS_PATH, openapi_config

__all__ = ["DOCS_PATH", "BrokenLink", "Extras", "Link", "check_links", "document", "openapi_config", "render"]
