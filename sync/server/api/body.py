"""Reading a kiosk's request body defensively, and the OpenAPI words for what goes wrong.

Every route has a body limit checked before the body is read (from ``Content-Length``, and while a
chunked body streams in) and again after gunzip; malformed or too deeply nested JSON gets 422.
"""
import json
import zlib
from typing import Any

from fastapi import HTTPException, Request
from pydantic import BaseModel

from sync.server.api.schemas import Problem

KB = 1024
BODY_LIMITS = {"enroll": 4 * KB, "heartbeat": 16 * KB, "records": 2 * KB * KB}  # as sent (gzipped or not)
UNPACKED_LIMITS = {"heartbeat": 64 * KB, "records": 2 * KB * KB}  # after gunzip
MAX_BODY_BYTES = BODY_LIMITS["records"]
DEFAULT_BODY_LIMIT = 4 * KB  # any other route
MAX_JSON_DEPTH = 32  # a batch is 4 deep ({"records": [{"payload": {…}}]}); deeper bodies are refused whole


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    words = {400: "the body cannot be parsed", 401: "missing, unknown or revoked device token",
             403: "the enrollment code is unknown, used or expired, or the device is enrolled already",
             404: "nothing to give", 413: "the body is too large", 422: "the body is malformed",
             429: "too many requests: wait Retry-After seconds", 503: "the server is at its connection limit"}
    return {code: {"model": Problem, "description": words[code]} for code in codes}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """True when ``value`` holds lists or objects more than ``limit`` levels deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


async def read_json_body(request: Request, unpacked_limit: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON, gunzipped if sent so; 413 when too big, 422 when not JSON or nested too deep.

    The body as sent is capped by the route's ``max_body_size`` before it is read.
    """
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
    if request.headers.get("content-encoding", "").lower() == "gzip":
        try:
            inflater = zlib.decompressobj(wbits=31)
            body = inflater.decompress(bytes(body), unpacked_limit + 1)
        except zlib.error:
            raise HTTPException(422, "the body is not valid gzip") from None
        if len(body) > unpacked_limit or inflater.unconsumed_tail:
            raise HTTPException(413, "the unpacked body is too large")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise HTTPException(422, "the body is not valid JSON") from None
    if _nested_deeper_than(document, MAX_JSON_DEPTH):
        raise HTTPException(422, "the body is nested too deeply")
    return document


def component_schemas(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema and the models it uses, as OpenAPI components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {**schema.pop("$defs", {}), model.__name__: schema}
