"""A small todo API on Render: FastAPI served by uvicorn on the port Render assigns."""
from fastapi import FastAPI, HTTPException

from app.schemas import Todo, TodoIn

app = FastAPI(title="todos")
_todos: dict[int, Todo] = {1: Todo(id=1, title="Deploy to Render")}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/todos")
def list_todos() -> list[Todo]:
    return list(_todos.values())


@app.get("/todos/{todo_id}")
def get_todo(todo_id: int) -> Todo:
    if todo_id not in _todos:
        raise HTTPException(status_code=404, detail="no such todo")
    return _todos[todo_id]


@app.post("/todos", status_code=201)
def add_todo(body: TodoIn) -> Todo:
    todo = Todo(id=max(_todos, default=0) + 1, title=body.title)
    _todos[todo.id] = todo
    return todo
