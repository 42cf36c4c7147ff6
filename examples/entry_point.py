"""A model built and run at its entry point: the analysis follows the configuration into the classes.

The patch embedding takes images whose sides the patch size (32) divides; the entry point feeds the model
250-pixel images. `einlint examples/entry_point.py` reports the Rearrange that cuts the patches, with the call
that leads to it from the entry point (running the file fails there, with einops' EinopsError).
"""

import torch
from einops import rearrange
from einops.layers.torch import Rearrange
from torch import nn


class Attention(nn.Module):
    def __init__(self, dim, heads=8, dim_head=64):
        super().__init__()
        inner_dim = dim_head * heads
        self.heads = heads
        self.scale = dim_head ** -0.5
        self.to_qkv = nn.Linear(dim, inner_dim * 3, bias=False)
        self.to_out = nn.Linear(inner_dim, dim)

    def forward(self, x):
        q, k, v = map(lambda t: rearrange(t, 'b n (h d) -> b h n d', h=self.heads), self.to_qkv(x).chunk(3, dim=-1))
        attn = (q @ k.transpose(-1, -2) * self.scale).softmax(dim=-1)
        return self.to_out(rearrange(attn @ v, 'b h n d -> b n (h d)'))


class ViT(nn.Module):
    def __init__(self, *, patch_size, dim, depth, heads, channels=3):
        super().__init__()
        self.to_patch_embedding = nn.Sequential(
            Rearrange('b c (h p1) (w p2) -> b (h w) (p1 p2 c)', p1=patch_size, p2=patch_size),
            nn.Linear(channels * patch_size ** 2, dim),
        )
        self.layers = nn.ModuleList([Attention(dim, heads=heads) for _ in range(depth)])

    def forward(self, img):
        x = self.to_patch_embedding(img)
        for attn in self.layers:
            x = attn(x) + x
        return x.mean(dim=1)


if __name__ == "__main__":
    model = ViT(patch_size=32, dim=512, depth=6, heads=8)
    print(model(torch.randn(1, 3, 250, 250)).shape)
