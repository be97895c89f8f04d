"""Report links service: hands out presigned S3 URLs; its type hints come from a stub-only package."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

import boto3
from flask import Flask, jsonify

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client  # type stubs, only read by the type checker: never imported at run time

BUCKET = os.environ.get("REPORTS_BUCKET", "reports")
REGION = os.environ.get("AWS_REGION", "eu-west-1")

app = Flask(__name__)


def s3_client() -> S3Client:
    return boto3.client("s3", region_name=REGION)


@app.get("/")
def index():
    return jsonify(bucket=BUCKET, region=REGION)


@app.get("/reports/<name>")
def report_link(name: str):
    url = s3_client().generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": name}, ExpiresIn=300)
    return jsonify(url=url)
