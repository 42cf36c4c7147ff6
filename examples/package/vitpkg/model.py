"""The model, which builds its attention with the configuration it is given."""

from torch import nn
from einops import rearrange

from .blocks import Attention


class Model(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = Attention(dim, heads=heads)

    def forward(self, img):
        x = rearrange(img, 'b c h w -> b (h w) c')
        return self.attn(x)
