"""Upload notifier: publishes a Pub/Sub message for each file stored in Cloud Storage."""
import os

from flask import Flask, jsonify, request
from google.cloud import pubsub_v1
from google.cloud import storage  # google-cloud-storage is not declared; pubsub and protobuf do not provide it
from google.protobuf import timestamp_pb2

PROJECT = os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-project")
TOPIC = os.environ.get("UPLOAD_TOPIC", "uploads")
BUCKET = os.environ.get("UPLOAD_BUCKET", "demo-uploads")

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(topic=pubsub_v1.PublisherClient.topic_path(PROJECT, TOPIC), bucket=BUCKET)


@app.post("/upload")
def upload():
    blob = storage.Client(project=PROJECT).bucket(BUCKET).blob(request.form["name"])
    blob.upload_from_string(request.form["body"])
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    publisher = pubsub_v1.PublisherClient()
    publisher.publish(publisher.topic_path(PROJECT, TOPIC), blob.name.encode(), uploaded_at=stamp.ToJsonString())
    return jsonify(stored=blob.name)
