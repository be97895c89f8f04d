"""Lists a tenant's users through Microsoft Graph."""
import httpx
from flask import Flask, jsonify
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from msgraph_core import GraphClientFactory

app = Flask(__name__)
http = GraphClientFactory.create_with_default_middleware(client=httpx.AsyncClient())
auth = AnonymousAuthenticationProvider()


@app.get("/")
def index():
    return jsonify(client=type(http).__name__, auth=type(auth).__name__)
