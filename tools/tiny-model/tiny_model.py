"""A tiny causal transformer (GPT-style, pre-LayerNorm, sinusoidal positions, tied embeddings).

Shared by build.py (train + export) and score.py (reference log-probs for the parity test).
Attention is written out by hand so that the ONNX graph is plain MatMul/Softmax and the optional
past key/values path has the layout Optimum uses ([batch, heads, past_len, head_dim]).
"""
import math

import torch
from torch import nn
from torch.nn import functional as F

POS_SCALE = 0.1


def embed_scale(cfg):
    """Multiplier of the token embeddings (sqrt(hidden), as in the original transformer)."""
    return math.sqrt(cfg.hidden_size)


NEG = -1e9  # additive mask value; finite so that a fully masked row cannot produce NaN


class Config:
    def __init__(self, vocab_size, hidden_size=64, num_layers=2, num_heads=4, intermediate_size=256):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.head_dim = hidden_size // num_heads
        self.intermediate_size = intermediate_size


def sinusoidal(positions, dim):
    """[T] float positions -> [T, dim] sin/cos table (no parameters, no length limit)."""
    half = dim // 2
    inv = torch.exp(torch.arange(half, dtype=torch.float32) * (-math.log(10000.0) / half))
    angles = positions[:, None] * inv[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.ln1 = nn.LayerNorm(cfg.hidden_size)
        self.qkv = nn.Linear(cfg.hidden_size, 3 * cfg.hidden_size)
        self.proj = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.ln2 = nn.LayerNorm(cfg.hidden_size)
        self.fc1 = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.fc2 = nn.Linear(cfg.intermediate_size, cfg.hidden_size)

    def forward(self, x, bias, past_k=None, past_v=None):
        b, t, d = x.shape
        h, hd = self.cfg.num_heads, self.cfg.head_dim
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        q = q.view(b, t, h, hd).transpose(1, 2)
        k = k.view(b, t, h, hd).transpose(1, 2)
        v = v.view(b, t, h, hd).transpose(1, 2)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + bias
        y = torch.matmul(torch.softmax(att, dim=-1), v)
        y = y.transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        x = x + self.fc2(F.gelu(self.fc1(self.ln2(x))))
        return x, k, v


class TinyCausalLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.num_layers)])
        self.ln_f = nn.LayerNorm(cfg.hidden_size)
        # Small embeddings: they double as the output layer, and N(0, 1) would start with huge logits.
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, input_ids, attention_mask, past=None):
        """input_ids [B,T]; attention_mask [B, P+T] (1 = real token); past: list of (k, v) per layer.

        Returns logits [B,T,V] and the new (k, v) per layer.
        """
        b, t = input_ids.shape
        p = 0 if past is None else past[0][0].shape[2]
        positions = torch.arange(t, dtype=torch.float32) + p
        # Token embeddings start at std 0.02 while the sin/cos table has entries of size ~1: unscaled,
        # positions drown the tokens and a short training run learns little beyond unigram
        # frequencies. Scaling both (sqrt(d) up, 0.1 down) lets it learn from context early.
        x = self.embed(input_ids) * embed_scale(self.cfg) + POS_SCALE * sinusoidal(positions, self.cfg.hidden_size)[None, :, :]
        # Query i (absolute p+i) sees key j when j <= p+i and key j is a real token.
        qi = torch.arange(t)[:, None] + p
        kj = torch.arange(p + t)[None, :]
        causal = (kj <= qi)[None, None, :, :]
        keep = causal & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(keep, torch.zeros((), dtype=torch.float32), torch.full((), NEG, dtype=torch.float32))
        presents = []
        for i, block in enumerate(self.blocks):
            pk, pv = (None, None) if past is None else past[i]
            x, k, v = block(x, bias, pk, pv)
            presents.append((k, v))
        logits = torch.matmul(self.ln_f(x), self.embed.weight.t())
        return logits, presents


class NoPastWrapper(nn.Module):
    """Graph signature input_ids, attention_mask -> logits (Optimum's text-generation task)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids, attention_mask)[0]


class WithPastWrapper(nn.Module):
    """Graph signature of Optimum's text-generation-with-past: flat past_key_values.{i}.key/value in, present.{i}.* out."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, presents = self.model(input_ids, attention_mask, past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)
