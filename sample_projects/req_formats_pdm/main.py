"""Converts amounts between currencies using rates from an upstream API."""
import os

import httpx  # only the pdm "test" dev group provides httpx: a production install (pdm install --prod) has none
from fastapi import FastAPI, HTTPException

RATES_URL = os.environ.get("RATES_URL", "https://api.frankfurter.app/latest")

app = FastAPI(title="fx-rates")
upstream = httpx.Client(timeout=10)


@app.get("/")
def index() -> dict:
    return {"service": "fx-rates", "upstream": RATES_URL}


@app.get("/convert/{base}/{quote}")
def convert(base: str, quote: str, amount: float = 1.0) -> dict:
    response = upstream.get(RATES_URL, params={"from": base.upper(), "to": quote.upper()})
    if response.status_code != 200:
        raise HTTPException(status_code=502, detail="rates service unavailable")
    rate = response.json()["rates"][quote.upper()]
    return {"base": base.upper(), "quote": quote.upper(), "amount": amount, "result": round(amount * rate, 4)}
