"""A small, independent SigV4 signer for hand-made requests (aws-chunked bodies, odd headers)
that SDKs will not produce over plain HTTP."""

import datetime
import hashlib
import hmac
from urllib.parse import quote

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signing_key(secret, date, region="us-east-1"):
    key = _hmac(("AWS4" + secret).encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, "s3")
    return _hmac(key, "aws4_request")


def sign(method, host, path, access, secret, headers, payload_hash, query="", now=None, region="us-east-1"):
    """Returns the headers to send (with Authorization) and (key, amz_date, scope, signature)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    headers = dict(headers)
    headers["x-amz-date"] = amz_date
    headers["x-amz-content-sha256"] = payload_hash
    signed = {"host": host, **{k.lower(): str(v).strip() for k, v in headers.items()}}
    names = sorted(signed)
    canonical_query = "&".join(
        sorted(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in
               (part.split("=", 1) if "=" in part else (part, "") for part in query.split("&") if part))
    )
    canonical = "\n".join([
        method, quote(path, safe="/-_.~"), canonical_query,
        "".join(f"{n}:{signed[n]}\n" for n in names), ";".join(names), payload_hash,
    ])
    scope = f"{date}/{region}/s3/aws4_request"
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = signing_key(secret, date, region)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return headers, (key, amz_date, scope, signature)


def signed_chunks(data, chunk_size, key, amz_date, scope, seed, trailer=None):
    """The body of STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) for `data`."""
    previous = seed
    body = b""
    chunks = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    for chunk in chunks:
        string_to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, EMPTY_SHA256,
                                    hashlib.sha256(chunk).hexdigest()])
        previous = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        body += f"{len(chunk):x};chunk-signature={previous}\r\n".encode() + chunk
        if chunk:
            body += b"\r\n"
    if trailer:
        name, value = trailer
        line = f"{name}:{value}\n"
        string_to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous,
                                    hashlib.sha256(line.encode()).hexdigest()])
        trailer_signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        body += f"{name}:{value}\r\nx-amz-trailer-signature:{trailer_signature}\r\n\r\n".encode()
    else:
        body += b"\r\n"
    return body


def unsigned_chunks(data, chunk_size, trailer):
    body = b""
    for i in range(0, len(data), chunk_size):
        chunk = data[i:i + chunk_size]
        body += f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    name, value = trailer
    return body + f"0\r\n{name}:{value}\r\n\r\n".encode()
