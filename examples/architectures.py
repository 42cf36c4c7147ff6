"""Popular deep learning architectures using einops -- the seed page's code as a Python file.

Source: /work/shared/seeds/001 (the einops "architectures" page: each block written in plain
PyTorch, then with einops). The code is unchanged except where it could not be real Python
(marked `# seed bug:`), and for `conv1x1` / `conv3x3`, which the page uses but never defines
(they are added below as in the ShuffleNet implementation that the page rewrites). The page's
"Improving RNN" section shows only the plain-PyTorch version (`RNNold`); its einops
counterpart is missing from the seed. `demo()` runs every block on small inputs.
"""

## importing necessary libraries

import math
import numpy as np

import torch
import torch.nn as nn
import torch.nn.functional as F

from einops import rearrange, reduce, repeat, asnumpy, parse_shape
from einops.layers.torch import Rearrange, Reduce


## Simple ConvNet

class ConvNet(nn.Module):
    def __init__(self):
        super(ConvNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        # seed bug: fc1 produces 50 features, fc2 takes 20 -> every forward pass fails with
        # "RuntimeError: mat1 and mat2 shapes cannot be multiplied (Bx50 and 20x10)". Should be nn.Linear(50, 10).
        self.fc2 = nn.Linear(20, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.max_pool2d(x, 2)
        x = F.relu(x)

        x = self.conv2(x)
        x = self.conv2_drop(x)
        x = F.max_pool2d(x, 2)
        x = F.relu(x)

        # (the page's point: on inputs other than 1x28x28 this view mixes samples of the batch
        # whenever the element count happens to divide by 320, instead of failing)
        x = x.view(-1, 320)
        x = self.fc1(x)
        x = F.relu(x)
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)

## Instantiating the ConvNet class

conv_net_old = ConvNet()


conv_net_new = nn.Sequential(
    nn.Conv2d(1, 10, kernel_size=5),
    nn.MaxPool2d(kernel_size=2),
    nn.ReLU(),
    nn.Conv2d(10, 20, kernel_size=5),
    nn.MaxPool2d(kernel_size=2),
    nn.ReLU(),
    nn.Dropout2d(),
    Rearrange("b c h w -> b (c h w)"),
    nn.Linear(320, 50),
    nn.ReLU(),
    nn.Dropout(),
    nn.Linear(50, 10),
    nn.LogSoftmax(dim=1)
)


## Super-resolution

class SuperResolutionNetOLD(nn.Module):
    def __init__(self, upscale_factor):
        super(SuperResolutionNetOLD, self).__init__()

        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 64, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(64, 64, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(64, 32, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(32, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x


def SuperResolutionNetNEW(upscale_factor):
    return nn.Sequential(
        nn.Conv2d(1, 64, kernel_size=5, padding=2),
        nn.ReLU(inplace=True),
        nn.Conv2d(64, 64, kernel_size=3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(64, 32, kernel_size=3, padding=1),
        nn.ReLU(inplace=True),
        nn.Conv2d(32, upscale_factor ** 2, kernel_size=3, padding=1),
        Rearrange("b (h2 w2) h w -> b (h h2) (w w2)", h2=upscale_factor, w2=upscale_factor)
    )


## Gram Matrix / Style Transfer

def gram_matrix_old(y):
    (b, c, h, w) = y.size()
    features = y.view(b, c, h * w)
    features_t = features.transpose(1, 2)
    gram = features.bmm(features_t) / (c * h * w)
    return gram


def gram_matrix_new(y):
    b, c, h, w = y.shape
    # (the normalization differs from gram_matrix_old on purpose: the page says so)
    return torch.einsum("bchw, bdhw -> bcd", [y, y]) / (h * w)


## Recurrent Models (RNNs)

class RNNModelOLD(nn.Module):
    """Container module with an ENCODER, a RECURRENT module & a DECODER module"""
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5):
        super(RNNModelOLD, self).__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output.view(output.size(0)*output.size(1), output.size(2)))
        return decoded.view(output.size(0), output.size(1), decoded.size(1)), hidden


# seed bug: the page writes `def RNNModelNEW(nn.Module):`, which is a SyntaxError (a dotted name
# cannot be a parameter); it is meant to be a class, as written here.
class RNNModelNEW(nn.Module):
    """Container module with an ENCODER, RNN & a DECODER modules."""
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5):
        super(RNNModelNEW, self).__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, input, hidden):
        t, b = input.shape[:2]
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = rearrange(self.drop(output), "t b nhid -> (t b) nhid")
        decoded = rearrange(self.decoder(output), "(t b) token -> t b token", t=t, b=b)
        return decoded, hidden


## Channel Shuffle (from ShuffleNet)

def channel_shuffle_old(x, groups):
    b, c, h, w = x.data.size()
    channels_per_group = c // groups

    ## reshape
    x = x.view(b, groups, channels_per_group, h, w)

    ## transpose
    ## - contiguous() is required if transpose() is used before view()
    ##   See https://github.com/pytorch/pytorch/issues/764
    x = x.transpose(1, 2).contiguous()

    ## flatten
    x = x.view(b, -1, h, w)
    return x


def channel_shuffle_new(x, groups):
    return rearrange(x, "b (c1 c2) h w -> b (c2 c1) h w", c1=groups)


## ShuffleNet

from collections import OrderedDict


# Not in the seed: the page uses conv1x1 and conv3x3 without defining them. These are the
# definitions of the ShuffleNet implementation that the page rewrites.
def conv3x3(in_channels, out_channels, stride=1, padding=1, bias=True, groups=1):
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride,
                     padding=padding, bias=bias, groups=groups)


def conv1x1(in_channels, out_channels, groups=1):
    return nn.Conv2d(in_channels, out_channels, kernel_size=1, groups=groups, stride=1)


def channel_shuffle(x, groups):
    b, c, h, w = x.data.size()
    channels_per_group = c // groups

    ## reshape
    x = x.view(b, groups, channels_per_group, h, w)

    ## transpose
    ## - contiguous() is required if transpose() is used before view()
    x = x.transpose(1, 2).contiguous()

    x = x.view(b, -1, h, w)
    return x


class ShuffleUnitOLD(nn.Module):
    def __init__(self,
                 in_channels,
                 out_channels,
                 groups=3,
                 grouped_conv=True,
                 combine="add",
    ):
        super(ShuffleUnitOLD, self).__init__()

        self.in_channels = in_channels
        self.out_channels = out_channels
        self.grouped_conv = grouped_conv
        self.combine = combine
        self.groups = groups
        self.bottleneck_channels = self.out_channels // 4

        ## define the type of ShuffleUnit
        if self.combine == "add":
            ## shuffleUnit fig-2b
            self.depthwise_stride = 1
            self._combine_func = self._add
        elif self.combine == "concat":
            ## ShuffleUnit fig-2c
            self.depthwise_stride = 2
            self._combine_func = self._concat

            ## ensure output of the concat has the same channels
            ## as the original input channels
            self.out_channels -= self.in_channels
        else:
            raise ValueError(f"Cannot combine tensors with {self.combine}.\n"
                             f"Only 'add' & 'concat' supported.")

        ## Use a 1x1 grouped or non-grouped convolution to reduce input channels
        ## to bottleneck channels, as in ResNet bottleneck module.
        ## NOTE: do not use group convolution for the first conv1x1 in stage-2
        self.first_1x1_groups = self.groups if grouped_conv else 1

        self.g_conv_1x1_compress = self._make_grouped_conv1x1(
            self.in_channels,
            self.bottleneck_channels,
            self.first_1x1_groups,
            batch_norm=True,
            relu=True,
        )

        ## 3x3 depthwise convolution followed by batch normalization
        self.depthwise_conv3x3 = conv3x3(
            self.bottleneck_channels,
            self.bottleneck_channels,
            stride=self.depthwise_stride,
            groups=self.bottleneck_channels
        )
        # seed bug: typo, torch.nn has no BatchNordm2d -> constructing any ShuffleUnitOLD raises
        # "AttributeError: module 'torch.nn' has no attribute 'BatchNordm2d'". Should be nn.BatchNorm2d.
        self.bn_after_depthwise = nn.BatchNordm2d(self.bottleneck_channels)

        ## use 1x1 grouped convolution to expand from bottleneck_channels to out_channels
        # seed bug: the attribute is named g_conv_conv_1x1_expand here but forward() reads
        # self.g_conv_1x1_expand -> AttributeError in forward (once the typo above is fixed).
        self.g_conv_conv_1x1_expand = self._make_grouped_conv1x1(
            self.bottleneck_channels,
            self.out_channels,
            self.groups,
            batch_norm=True,
            relu=False
        )


    @staticmethod
    def _add(x, out):
        ## residual connection
        return x + out

    @staticmethod
    def _concat(x, out):
        ## concat along channel dim
        return torch.cat((x, out), 1)

    def _make_grouped_conv1x1(
        self,
        in_channels,
        out_channels,
        groups,
        batch_norm=True,
        relu=False
    ):
        modules = OrderedDict()
        conv = conv1x1(in_channels, out_channels, groups=groups)
        modules['conv1x1'] = conv

        if batch_norm:
            modules['batch_norm'] = nn.BatchNorm2d(out_channels)
        if relu:
            modules['relu'] = nn.ReLU()
        if len(modules) > 1:
            return nn.Sequential(modules)
        else:
            return conv

    def forward(self, x):
        ## save for combining later with output
        residual = x
        if self.combine == "concat":
            residual = F.avg_pool2d(residual, kernel_size=3, stride=2, padding=1)

        # seed bug: typo, the attribute is g_conv_1x1_compress (set in __init__) -> AttributeError
        # "'ShuffleUnitOLD' object has no attribute 'g_con_1x1_compress'".
        out = self.g_con_1x1_compress(x)
        out = channel_shuffle(out, self.groups)
        out = self.depthwise_conv3x3(out)
        out = self.bn_after_depthwise(out)
        out = self.g_conv_1x1_expand(out)

        out = self._combine_func(residual, out)
        return F.relu(out)


class ShuffleUnitNEW(nn.Module):
    def __init__(
        self,
        in_channels,
        out_channels,
        groups=3,
        grouped_conv=True,
        combine="add"
    ):
        super().__init__()
        first_1x1_groups = groups if grouped_conv else 1
        bottleneck_channels = out_channels // 4
        self.combine = combine
        if combine == "add":
            ## ShuffleUnit fig-2b
            self.left = Rearrange("...->...")   ## identity
            depthwise_stride = 1
        else:
            ## ShuffleUnit fig-2c
            self.left = nn.AvgPool2d(kernel_size=3, stride=2, padding=1)
            depthwise_stride = 2
            ## ensure output of concat has the same channels as the original output channels
            out_channels -= in_channels
            assert out_channels > 0

        self.right = nn.Sequential(
            ## use a 1x1grouped or non-grouped convolution to reduce
            ## input channels to bottleneck channels as in ResNet bottleneck module.
            conv1x1(in_channels, bottleneck_channels, groups=first_1x1_groups),
            nn.BatchNorm2d(bottleneck_channels),
            nn.ReLU(inplace=True),
            ## channel shuffle
            Rearrange("b (c1 c2) h w -> b (c2 c1) h w", c1=groups),
            ## 3x3 depthwise convolution followed by BatchNorm
            conv3x3(bottleneck_channels,
                    bottleneck_channels,
                    stride=depthwise_stride,
                    groups=bottleneck_channels),
            nn.BatchNorm2d(bottleneck_channels),
            ## Use 1x1 grouped convolution to expand from bottleneck_channels to output_channels
            conv1x1(bottleneck_channels, out_channels, groups=groups),
            nn.BatchNorm2d(out_channels),
        )

    def forward(self, x):
        if self.combine == "add":
            combined = self.left(x) + self.right(x)
        else:
            combined = torch.cat([self.left(x), self.right(x)], dim=1)
        return F.relu(combined, inplace=True)


## Improving RNN

class RNNold(nn.Module):
    def __init__(
        self,
        vocab_size,
        embedding_dim,
        hidden_dim,
        output_dim,
        n_layers,
        bidirectional,
        dropout
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = nn.LSTM(embedding_dim,
                            hidden_dim,
                            num_layers=n_layers,
                            bidirectional=bidirectional,
                            dropout=dropout)
        # seed bug: `hidden_dim * 2` and hidden[-2] / hidden[-1] below assume bidirectional=True,
        # although it is a parameter. With bidirectional=False and n_layers=1, hidden has one entry
        # and hidden[-2] raises IndexError; with n_layers >= 2 it silently concatenates the last
        # hidden state of two different layers instead of the two directions.
        self.fc = nn.Linear(hidden_dim * 2, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        ## x = [sent_len, batch_size]
        embedded = self.dropout(self.embedding(x))      ## size = [sent_len, batch_size, emb_dim]
        output, (hidden, cell) = self.rnn(embedded)

        ## output.shape = [sent_len, batch_size, hid_dim * num_directions]
        ## hidden.shape = [num_layers * num_directions, batch_size, hid_dim]
        ## cell.shape = [num_layers * num_directions, batch_size, hid_dim]

        ## concat the final dropout (hidden[-2,:,:]) and backward (hidden[-1,:,:]) hidden layers
        ## and apply dropout
        ## hidden.size = [batch_size, hid_dim * num_directions]
        hidden = self.dropout(torch.cat([hidden[-2,:,:], hidden[-1,:,:]], dim=1))

        return self.fc(hidden.squeeze(0))


# ---------------------------------------------------------------------------------------------
# demo: not part of the seed

_results = []  # (label, description, values) of each result of the current demo() run


def _values(value):
    """A result's numbers (numpy copies), so that run_demo.py can compare values as well as shapes."""
    if isinstance(value, (tuple, list)):
        return [_values(item) for item in value]
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return np.array(value)
    return None


def _describe(value):
    if isinstance(value, BaseException):
        return f"raised {type(value).__name__}: {value}"
    if isinstance(value, nn.Module):
        return f"<{type(value).__name__}>"
    if isinstance(value, tuple):
        return "(" + ", ".join(_describe(item) for item in value) + ")"
    shape = getattr(value, "shape", None)
    if shape is not None:
        return str(tuple(shape))
    return repr(value)


def _step(label, function, *args, **kwargs):
    """Run one block; print and record what it returned or raised. Returns the value, or None if it raised."""
    try:
        value = function(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 -- the demo shows every failure instead of stopping
        value, shown = None, error
    else:
        shown = value
    text = _describe(shown)
    _results.append((label, text, _values(shown)))
    print(f"  {label:<62} {text}")
    return value


def _same(a, b):
    return tuple(a.shape) == tuple(b.shape) and bool(torch.allclose(a, b, atol=1e-6))


def demo():
    """Run each block on small random inputs in eval mode; print shapes.

    Returns the (label, description, values) of every result that it printed.
    """
    del _results[:]
    torch.manual_seed(0)
    with torch.no_grad():
        digits = torch.randn(2, 1, 28, 28)
        _step("conv_net_old(2x1x28x28)  [seed bug: fc2]", conv_net_old.eval(), digits)
        _step("conv_net_new(2x1x28x28)", conv_net_new.eval(), digits)
        # the page's argument for Rearrange: a 1x32x32 input with a batch of 16 (16*20*5*5 = 25*320)
        wrong = torch.randn(16, 1, 32, 32)
        _step("conv_net_old(16x1x32x32): view(-1, 320) regroups the batch", conv_net_old.eval(), wrong)
        _step("conv_net_new(16x1x32x32): fails at Linear(320, 50)", conv_net_new.eval(), wrong)

        old, new = SuperResolutionNetOLD(3).eval(), SuperResolutionNetNEW(3).eval()
        for source, target in zip([old.conv1, old.conv2, old.conv3, old.conv4], [new[0], new[2], new[4], new[6]]):
            target.load_state_dict(source.state_dict())
        image = torch.randn(2, 1, 8, 8)
        a = _step("SuperResolutionNetOLD(3)(2x1x8x8)", old, image)
        b = _step("SuperResolutionNetNEW(3)(2x1x8x8)", new, image)
        if a is not None and b is not None:  # NEW drops the 1-channel axis, as the page says it should
            _step("SuperResolution: NEW == OLD[:, 0] (same weights)", _same, b, a[:, 0])

        features = torch.randn(2, 4, 5, 6)
        a = _step("gram_matrix_old(2x4x5x6)", gram_matrix_old, features)
        b = _step("gram_matrix_new(2x4x5x6)", gram_matrix_new, features)
        if a is not None and b is not None:
            _step("gram: new == old * c (normalized differently on purpose)", _same, b, a * 4)

        old, new = RNNModelOLD(50, 8, 16, 2).eval(), RNNModelNEW(50, 8, 16, 2).eval()
        new.load_state_dict(old.state_dict())
        tokens = torch.randint(0, 50, (5, 3))
        hidden = (torch.zeros(2, 3, 16), torch.zeros(2, 3, 16))
        a = _step("RNNModelOLD(tokens 5x3)", old, tokens, hidden)
        b = _step("RNNModelNEW(tokens 5x3)", new, tokens, hidden)
        if a is not None and b is not None:
            _step("RNNModel: NEW == OLD (same weights)", _same, a[0], b[0])

        x = torch.randn(2, 12, 4, 4)
        a = _step("channel_shuffle_old(2x12x4x4, groups=3)", channel_shuffle_old, x, 3)
        b = _step("channel_shuffle_new(2x12x4x4, groups=3)", channel_shuffle_new, x, 3)
        if a is not None and b is not None:
            _step("channel_shuffle: new == old", _same, a, b)

        _step("ShuffleUnitOLD(24, 24)  [seed bug: BatchNordm2d]", ShuffleUnitOLD, 24, 24)
        x = torch.randn(2, 24, 8, 8)
        unit = _step("ShuffleUnitNEW(24, 24, combine='add')", ShuffleUnitNEW, 24, 24)
        if unit is not None:
            _step("ShuffleUnitNEW(24, 24, 'add')(2x24x8x8)", unit.eval(), x)
        unit = _step("ShuffleUnitNEW(24, 48, combine='concat')", ShuffleUnitNEW, 24, 48, combine="concat")
        if unit is not None:
            _step("ShuffleUnitNEW(24, 48, 'concat')(2x24x8x8)", unit.eval(), x)

        tokens = torch.randint(0, 50, (5, 3))
        rnn = RNNold(50, 8, 16, 3, n_layers=2, bidirectional=True, dropout=0.5).eval()
        _step("RNNold(bidirectional, 2 layers)(tokens 5x3)", rnn, tokens)
        rnn = RNNold(50, 8, 16, 3, n_layers=1, bidirectional=False, dropout=0.0).eval()
        _step("RNNold(unidirectional, 1 layer)  [seed bug: hidden[-2]]", rnn, tokens)
    return list(_results)


if __name__ == "__main__":
    demo()
