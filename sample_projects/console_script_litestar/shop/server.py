"""The Litestar app factory; only LITESTAR_APP, set by the console script, names it."""

import markdown
from litestar import Litestar, MediaType, get

PAGE = markdown.markdown("# Shop\n\nOpen.")


@get("/", media_type=MediaType.HTML)
async def index() -> str:
    return PAGE


def create_app() -> Litestar:
    return Litestar(route_handlers=[index])
