"""Request and response bodies of the todo API."""
from pydantic import BaseModel, Field


class TodoIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class Todo(TodoIn):
    id: int
    done: bool = False
