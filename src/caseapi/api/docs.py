"""``/schema``: the OpenAPI document, and Swagger UI 5 to read it, served from this server.

Swagger UI 5 reads OpenAPI 3.1 (the 4.x bundle showed "Unable to render this
definition"). Its files come from the ``swagger-ui-py`` package, and only the
four the page loads are served, by name: not a folder of some twenty files.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Annotated

from litestar import Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.params import PathParameter

from caseapi import __version__
from caseapi.api.http.caching import cache_family

SWAGGER_ASSETS = "/schema/assets"
# The files the page asks for, and their types.
# (Litestar adds "; charset=utf-8" to text types itself.)
SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def openapi_config() -> OpenAPIConfig:
    """OpenAPI at ``/schema``; the Swagger UI assets come from this server, not a CDN."""
    return OpenAPIConfig(
        title="caseapi",
        version=__version__,
        description=(
            "Headless content API: executed assignments and posts from a Markdown folder, "
            "with Dutch full-text search and feeds."
        ),
        path="/schema",
        render_plugins=[
            _SwaggerPage(
                path=["/", "/swagger"],
                js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' href='{SWAGGER_ASSETS}/favicon-32x32.png'>",
            ),
            JsonRenderPlugin(path="/openapi.json"),
        ],
    )


class _SwaggerPage(SwaggerRenderPlugin):
    """Swagger UI's page, without the OAuth2 redirect page this API has no use for."""

    def receive_router(self, router: Router) -> None:
        return


@get(f"{SWAGGER_ASSETS}/{{name:str}}", include_in_schema=False, opt=cache_family("schema"))
async def swagger_asset(name: Annotated[str, PathParameter()]) -> Response[bytes]:
    """One of the files Swagger UI's page loads."""
    media_type = SWAGGER_FILES.get(name)
    if media_type is None:
        raise NotFoundException(detail=f"There is no file '{name}' here.")
    return Response(_read(name), media_type=media_type)


@cache
def _read(name: str) -> bytes:
    return (_static_folder() / name).read_bytes()


def _static_folder() -> Path:
    # Found without importing the package, which would pull in its web-framework glue.
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"
