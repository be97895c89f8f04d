"""A bare ASGI app that renders Markdown; only the console script's uvicorn.run names it."""

import markdown

PAGE = markdown.markdown("# Shop\n\nOpen.")


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": PAGE.encode()})
