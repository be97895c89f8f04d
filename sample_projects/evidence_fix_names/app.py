"""A small API that proxies a WebDAV share and camelizes its JSON."""
import humps
from flask import Flask, jsonify
from webdav3.client import Client

import acme_billing_sdk

app = Flask(__name__)
client = Client({"webdav_hostname": "https://dav.example.com"})


@app.get("/")
def index():
    return jsonify(humps.camelize({"file_count": len(client.list()), "plan": acme_billing_sdk.PLAN}))
