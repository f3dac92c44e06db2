#!/usr/bin/python3
"""Times PyTorch forward passes for the eval benchmark (run with /usr/bin/python3).

    /usr/bin/python3 tools/tiny-model/bench_torch.py MODEL_DIR THREADS < batches.json

batches.json: {"batches": [[[ids], [ids], ...], ...]}: the same length-sorted batches the eval
app runs, right-padded here with the pad id and masked, as the onnxruntime side does.
Prints {"seconds": total forward time, "tokens": real tokens, "rows": sequences}.
"""
import json
import os
import sys
import time

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny_model import Config, TinyCausalLM  # noqa: E402


def main():
    model_dir, threads = sys.argv[1], int(sys.argv[2])
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    cfg = Config(c["vocab_size"], c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"], c["intermediate_size"])
    model = TinyCausalLM(cfg)
    model.load_state_dict(torch.load(os.path.join(model_dir, "pytorch_model.bin")))
    model.eval()
    torch.set_num_threads(threads)
    pad = c.get("pad_token_id") or 0
    batches = json.load(sys.stdin)["batches"]
    seconds, tokens, rows = 0.0, 0, 0
    with torch.inference_mode():
        for batch in batches:
            width = max(len(r) for r in batch)
            ids = torch.tensor([r + [pad] * (width - len(r)) for r in batch])
            mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in batch])
            t = time.perf_counter()
            logits, _ = model(ids, mask)
            # The same work the JS side does after the pass: log-softmax at each row's last real position.
            torch.log_softmax(logits[torch.arange(len(batch)), mask.sum(1) - 1].double(), dim=-1)
            seconds += time.perf_counter() - t
            tokens += int(mask.sum())
            rows += len(batch)
    json.dump({"seconds": seconds, "tokens": tokens, "rows": rows}, sys.stdout)


if __name__ == "__main__":
    main()
