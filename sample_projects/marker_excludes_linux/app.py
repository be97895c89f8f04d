"""Host info service, written on Windows: win32api comes from pywin32."""
import platform

import win32api  # unguarded: pywin32 is declared only for sys_platform == "win32", so a Linux image lacks it
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="hostinfo", system=platform.system())


@app.get("/host")
def host():
    return jsonify(name=win32api.GetComputerName(), user=win32api.GetUserName())
