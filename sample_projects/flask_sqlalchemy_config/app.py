"""Notes API on PostgreSQL through Flask-SQLAlchemy."""
import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg2://notes:notes@db:5432/notes"
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "dev")

# SQLAlchemy(app) builds the engine now, which imports psycopg2 (nothing declares it).
db = SQLAlchemy(app)


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.Text, nullable=False)


@app.get("/")
def index():
    return {"service": "notes"}


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/notes")
def list_notes():
    return {"notes": [note.body for note in db.session.execute(db.select(Note)).scalars()]}
