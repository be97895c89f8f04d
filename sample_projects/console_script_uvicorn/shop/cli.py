"""The `shop-web` console script: starts uvicorn on the app, named by its import string."""

import os

import uvicorn


def serve() -> None:
    uvicorn.run("shop.app:app", host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))
