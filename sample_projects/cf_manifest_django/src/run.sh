#!/bin/bash
set -o errexit
gunicorn --workers=2 mysite.wsgi
