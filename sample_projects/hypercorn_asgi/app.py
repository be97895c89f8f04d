"""Live scoreboard: a Quart (async Flask) app served by Hypercorn over ASGI."""
import asyncio

from quart import Quart, abort, jsonify

app = Quart(__name__)
_scores = {"home": 0, "away": 0}
_lock = asyncio.Lock()


@app.get("/")
async def scoreboard():
    return jsonify(_scores)


@app.get("/health")
async def health():
    return {"status": "ok"}


@app.post("/goal/<side>")
async def goal(side):
    if side not in _scores:
        abort(404)
    async with _lock:
        _scores[side] += 1
    return jsonify(_scores)
