"""Weather proxy; settings come from a .env file through python-dotenv."""
import os

import requests
from dotenv import load_dotenv  # python-dotenv is only in [dev-packages]: `pipenv install --deploy` skips it
from flask import Flask, jsonify

load_dotenv()

API_URL = os.environ.get("WEATHER_API_URL", "https://api.open-meteo.com/v1/forecast")

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="weather", upstream=API_URL)


@app.get("/forecast/<float:lat>/<float:lon>")
def forecast(lat, lon):
    response = requests.get(API_URL, params={"latitude": lat, "longitude": lon, "current_weather": "true"}, timeout=10)
    response.raise_for_status()
    return jsonify(response.json().get("current_weather", {}))
