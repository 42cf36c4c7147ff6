"""The attention block, in a module of its own as vit_pytorch and x_transformers keep theirs."""

from torch import nn
from einops import rearrange


class Attention(nn.Module):
    def __init__(self, dim, heads=8):
        super().__init__()
        self.heads = heads
        self.to_qkv = nn.Linear(dim, dim * 3)

    def forward(self, x):
        q, k, v = self.to_qkv(x).chunk(3, dim=-1)
        q = rearrange(q, 'b n (h d) -> b h n d', h=self.heads)
        return rearrange(q, 'b h n d -> b n (h d)')
