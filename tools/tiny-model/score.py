#!/usr/bin/python3
"""Reference log-probs from PyTorch for the parity test (run with /usr/bin/python3).

    /usr/bin/python3 tools/tiny-model/score.py MODEL_DIR < request.json > response.json

request:  {"sequences": [[token ids], ...], "select": [[token ids], ...]}
response: {"logprobs": [[log p(select[i][j] | sequences[i]) at the last position], ...]}

Token ids come from the caller (the JS tokenizer), so both sides score exactly the same input.
Each sequence runs on its own (batch 1, no padding). Log-softmax is taken in float64 over the
float32 logits, as the JS side does.
"""
import json
import os
import sys

import torch

# No __pycache__ beside the committed sources.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tiny_model import Config, TinyCausalLM  # noqa: E402


def main():
    model_dir = sys.argv[1]
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    cfg = Config(c["vocab_size"], c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"], c["intermediate_size"])
    model = TinyCausalLM(cfg)
    model.load_state_dict(torch.load(os.path.join(model_dir, "pytorch_model.bin")))
    model.eval()
    torch.set_num_threads(1)
    req = json.load(sys.stdin)
    out = []
    with torch.no_grad():
        for ids, select in zip(req["sequences"], req["select"]):
            x = torch.tensor([ids])
            logits, _ = model(x, torch.ones_like(x))
            lp = torch.log_softmax(logits[0, -1].double(), dim=-1)
            out.append([lp[i].item() for i in select])
    json.dump({"logprobs": out}, sys.stdout)


if __name__ == "__main__":
    main()
