#!/usr/bin/python3
"""Builds the tiny ONNX test model in tools/tiny-model/fixture/ (run with /usr/bin/python3).

    /usr/bin/python3 tools/tiny-model/build.py [--out DIR] [--data DIR] [--steps N]

1. learns a byte-level BPE vocabulary (tokenizer.json) from the sample texts in ../shared/data:
   the Apollo training samples (en, zh) and the XMedBench dev items in all six languages, the
   latter rendered in the prompt layout so the model sees "... is (B).<|endoftext|>";
2. trains a 2-layer, 64-wide causal transformer briefly on CPU (fixed seeds, one thread) so that
   its outputs are not uniform;
3. exports it with torch.onnx.export (opset 14, dynamic batch and sequence axes) in the Optimum
   layout: model.onnx (input_ids, attention_mask -> logits), model_with_past.onnx (plus
   past_key_values.{i}.key/value -> present.{i}.key/value), config.json, tokenizer.json,
   tokenizer_config.json, generation_config.json; and pytorch_model.bin for score.py;
4. writes parity.json: a few token-id sequences with torch's last-position log-probs, so the JS
   tests can check onnxruntime against torch even where torch is not installed.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch

# No __pycache__ beside the committed sources.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpe import EOS, ByteBPE, train_merges  # noqa: E402
from tiny_model import Config, NoPastWrapper, TinyCausalLM, WithPastWrapper  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

# Answer sentences per language, only to make training text look like the prompts.
ANSWER = {
    "en": ("Question:", "Options:", "The correct answer is {a}."),
    "zh": ("问题:", "选项:", "正确答案是{a}."),
    "es": ("pregunta:", "Opciones:", "La respuesta correcta es {a}."),
    "fr": ("question:", "Possibilités:", "La bonne réponse est {a}."),
    "hi": ("सवाल:", "विकल्प:", "सही उत्तर है{a}."),
    "ar": ("سؤال:", "خيارات:", "{a}الإجابة الصحيحة هي."),
}


def corpus(data_dir):
    """(dev item texts in all six languages, answer sentences, training-sample texts in en and zh)."""
    texts = []
    answers = []
    dev = os.path.join(data_dir, "xmedbench-dev")
    for lang in sorted(ANSWER):
        q_label, o_label, answer = ANSWER[lang]
        with open(os.path.join(dev, f"{lang}.json"), encoding="utf-8") as f:
            for item in json.load(f):
                ctx = f"Context: {item['context']} \n" if item.get("context") else ""
                texts.append(
                    f"User:{ctx}{q_label} {item['question']}\n{o_label}\n{item['options']}\nAssistant:"
                    + answer.format(a=item["answer"])
                    + EOS
                    + "\n"
                )
                # Bare answer sentences, one per option letter of every dev item: after
                # "answer is (" the letters then have a near-uniform prior, so the context moves
                # the argmax and letter predictions vary across items (the batching and
                # proxy-tuning tests need that; a model that always says "A" checks little).
                n_options = item.get("options", item.get("option", "")).count("\n(") + 1
                for k in range(n_options):
                    answers.append("Assistant:" + answer.format(a=f"({chr(65 + k)})") + EOS + "\n")
    dev_texts, texts = texts, []
    samples = os.path.join(data_dir, "apollo-train-samples")
    for name in sorted(os.listdir(samples)):
        with open(os.path.join(samples, name), encoding="utf-8") as f:
            for turns in json.load(f):
                text = ""
                for i in range(0, len(turns) - 1, 2):
                    # Cut long answers: the point is variety of text, not volume.
                    text += f"User:{turns[i][:600]}\nAssistant:{turns[i + 1][:600]}{EOS}\n"
                texts.append(text)
    return dev_texts, answers, texts


def batches(ids, seq_len, batch_size, steps, rng):
    n = len(ids) - seq_len - 1
    for _ in range(steps):
        starts = [rng.randrange(n) for _ in range(batch_size)]
        x = torch.tensor([ids[s : s + seq_len] for s in starts])
        y = torch.tensor([ids[s + 1 : s + seq_len + 1] for s in starts])
        yield x, y


def export(model, cfg, out):
    model.eval()
    ids = torch.tensor([[1, 2, 3, 4], [5, 6, 7, 8]])
    mask = torch.ones_like(ids)
    seq_axes = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        NoPastWrapper(model),
        (ids, mask),
        os.path.join(out, "model.onnx"),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={"input_ids": seq_axes, "attention_mask": {0: "batch_size", 1: "total_sequence_length"}, "logits": seq_axes},
        opset_version=14,
        do_constant_folding=True,
    )
    past_len = 3
    flat = []
    names_in, names_out = ["input_ids", "attention_mask"], ["logits"]
    axes = {"input_ids": seq_axes, "attention_mask": {0: "batch_size", 1: "total_sequence_length"}, "logits": seq_axes}
    for i in range(cfg.num_layers):
        for kind in ("key", "value"):
            flat.append(torch.zeros(2, cfg.num_heads, past_len, cfg.head_dim))
            names_in.append(f"past_key_values.{i}.{kind}")
            names_out.append(f"present.{i}.{kind}")
            axes[f"past_key_values.{i}.{kind}"] = {0: "batch_size", 2: "past_sequence_length"}
            axes[f"present.{i}.{kind}"] = {0: "batch_size", 2: "total_sequence_length"}
    torch.onnx.export(
        WithPastWrapper(model),
        (ids, torch.ones(2, past_len + 4, dtype=torch.long), *flat),
        os.path.join(out, "model_with_past.onnx"),
        input_names=names_in,
        output_names=names_out,
        dynamic_axes=axes,
        opset_version=14,
        do_constant_folding=True,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "fixture"))
    ap.add_argument("--data", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "data")))
    ap.add_argument("--merges", type=int, default=1200)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=20240305)
    ap.add_argument("--lr", type=float, default=1e-2, help="peak learning rate (cosine decay)")
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--batch", type=int, default=8)
    # Shape: the defaults are the test fixture; the eval benchmark builds a larger, untrained
    # model with --steps 0 --layers 6 --hidden 512 --heads 8 --intermediate 2048 --no-parity.
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=256)
    ap.add_argument("--no-parity", action="store_true", help="skip parity.json (and pytorch_model.bin is still written)")
    args = ap.parse_args()

    t0 = time.time()
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)

    dev_texts, answer_texts, sample_texts = corpus(args.data)
    texts = dev_texts + answer_texts + sample_texts
    rng = random.Random(args.seed)
    # Merges from the dev items (all six languages) and a quarter of the samples: enough for a
    # vocabulary, and it keeps the pure-Python merge loop short.
    merges = train_merges(dev_texts + sample_texts[::4], args.merges)
    bpe = ByteBPE(merges)
    print(f"tokenizer: {bpe.size} tokens ({len(merges)} merges) in {time.time() - t0:.1f}s", flush=True)

    order = list(range(len(texts)))
    rng.shuffle(order)
    ids = []
    for i in order if args.steps > 0 else []:
        ids.extend(bpe.encode(texts[i]))
    print(f"corpus: {len(texts)} texts, {len(ids)} tokens", flush=True)

    cfg = Config(bpe.size, args.hidden, args.layers, args.heads, args.intermediate)
    model = TinyCausalLM(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    t1 = time.time()
    model.train()
    for step, (x, y) in enumerate(batches(ids, args.seq_len, args.batch, args.steps, rng)):
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        for g in opt.param_groups:
            g["lr"] = lr
        logits, _ = model(x, torch.ones_like(x))
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, cfg.vocab_size), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.3f}", flush=True)
    print(f"trained {args.steps} steps in {time.time() - t1:.1f}s", flush=True)

    model.eval()
    export(model, cfg, args.out)
    torch.save(model.state_dict(), os.path.join(args.out, "pytorch_model.bin"))

    def dump(name, obj):
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=2 if name != "tokenizer.json" else None)
            f.write("\n")

    dump("tokenizer.json", bpe.tokenizer_json())
    dump(
        "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "bos_token": None,
            "eos_token": EOS,
            "pad_token": EOS,
            "add_bos_token": False,
            "clean_up_tokenization_spaces": False,
            "model_max_length": 32768,
        },
    )
    dump(
        "config.json",
        {
            "architectures": ["TinyCausalLM"],
            "model_type": "tiny-apollo",
            "vocab_size": cfg.vocab_size,
            "hidden_size": cfg.hidden_size,
            "num_hidden_layers": cfg.num_layers,
            "num_attention_heads": cfg.num_heads,
            "num_key_value_heads": cfg.num_heads,
            "head_dim": cfg.head_dim,
            "intermediate_size": cfg.intermediate_size,
            "max_position_embeddings": 32768,
            "bos_token_id": None,
            "eos_token_id": bpe.eos_id,
            "pad_token_id": bpe.eos_id,
            "tie_word_embeddings": True,
            "torch_dtype": "float32",
            "seed": args.seed,
            "train_steps": args.steps,
        },
    )
    dump("generation_config.json", {"eos_token_id": bpe.eos_id, "pad_token_id": bpe.eos_id, "do_sample": False})

    # Fixed id sequences with torch's last-position log-probs: a parity check that needs no tokenizer.
    prng = random.Random(args.seed + 1)
    seqs = [[prng.randrange(bpe.size) for _ in range(n)] for n in (1, 5, 17, 64, 200, 333)]
    parity = []
    with torch.no_grad():
        for s in seqs:
            logits, _ = model(torch.tensor([s]), torch.ones(1, len(s), dtype=torch.long))
            parity.append({"ids": s, "logprobs": torch.log_softmax(logits[0, -1].double(), dim=-1).tolist()})
    if not args.no_parity:
        dump("parity.json", parity)
    print(f"wrote {args.out} in {time.time() - t0:.1f}s total", flush=True)


if __name__ == "__main__":
    main()
