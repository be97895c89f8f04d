"""Todo API: every import is declared, nothing declared goes unused."""
from fastapi import FastAPI, HTTPException

app = FastAPI(title="todos")

TODOS = {1: {"id": 1, "title": "Write the deploy check", "done": False}}


@app.get("/")
def index() -> dict:
    return {"service": "todos", "count": len(TODOS)}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/todos/{todo_id}")
def get_todo(todo_id: int) -> dict:
    if todo_id not in TODOS:
        raise HTTPException(status_code=404, detail="todo not found")
    return TODOS[todo_id]
