"""Field encryption with SM4-GCM (GB/T 32907) for personal contact details the platform must keep
but never show in lists: the key comes from settings.FIELD_ENCRYPTION_KEY (32 hex digits; in
development derived from SECRET_KEY). Stored form: "sm4gcm:" + base64(nonce | tag | ciphertext)."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

PREFIX = "sm4gcm:"


def _key() -> bytes:
    configured = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if configured:
        return bytes.fromhex(configured)
    return hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()[:16]


def encrypt(text: str) -> str:
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    cipher = encryptor.update(text.encode("utf-8")) + encryptor.finalize()
    return PREFIX + base64.b64encode(nonce + encryptor.tag + cipher).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("not an encrypted field value")
    raw = base64.b64decode(stored[len(PREFIX):])
    nonce, tag, cipher = raw[:12], raw[12:28], raw[28:]
    decryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(cipher) + decryptor.finalize()).decode("utf-8")
