"""Shipped in the api image, imported by nothing at boot: its import is only worth a summary line."""

import boto3


def upload(path):
    return boto3.client("s3").upload_file(path, "bucket", path)
