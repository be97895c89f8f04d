import markdown


async def app(scope, receive, send):
    assert scope["type"] == "http"
    body = markdown.markdown("# shop").encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": body})
