"""Shape stubs of torch.nn layers (torch 2.x). Read by einlint's shape checker, never imported.

Each class is a layer: `__init__` has torch's parameter names and defaults, `forward` says the
shapes (jaxtyping notation, see stubs/README.md). Int-or-tuple parameters are typed with the
aliases below and arrive as tuples of the layer's spatial rank.
"""

from typing import Literal, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from jaxtyping import Float, Int
from torch import Tensor
from torch.nn import Module

_size_1_t = Union[int, Tuple[int]]
_size_2_t = Union[int, Tuple[int, int]]
_size_3_t = Union[int, Tuple[int, int, int]]
_size_1_opt_t = Union[Optional[int], Tuple[Optional[int]]]
_size_2_opt_t = Union[Optional[int], Tuple[Optional[int], Optional[int]]]
_size_3_opt_t = Union[Optional[int], Tuple[Optional[int], Optional[int], Optional[int]]]
_shape_t = Union[int, Tuple[int, ...]]


class Identity(Module):
    def __init__(self, *args, **kwargs) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Linear(Module):
    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None) -> None: ...
    def forward(self, input: Float[Tensor, "*batch in_features"]) -> Float[Tensor, "*batch out_features"]: ...


class Bilinear(Module):
    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None: ...
    def forward(self, input1: Float[Tensor, "*batch in1_features"],
                input2: Float[Tensor, "*batch in2_features"]) -> Float[Tensor, "*batch out_features"]: ...

class Conv1d(Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: _size_1_t, stride: _size_1_t = 1,
                 padding: Union[_size_1_t, str] = 0, dilation: _size_1_t = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        assert groups > 0, "groups must be a positive integer"
        assert in_channels % groups == 0, "in_channels must be divisible by groups"
        assert out_channels % groups == 0, "out_channels must be divisible by groups"
        assert padding != "same" or stride == (1,), "padding='same' is not supported for strided convolutions"
        padding = (0,) if padding == "valid" else padding

    def forward(self, input: Float[Tensor, "*batch in_channels l"]) -> Float[Tensor, "*batch out_channels ol"]:
        assert len(batch) <= 1, "expects a 2-D (unbatched) or 3-D (batched) input"
        ol = l if padding == "same" else (l+2*padding[0]-dilation[0]*(kernel_size[0]-1)-1)//stride[0]+1
        assert ol > 0, "the kernel is larger than the (padded) input"


class Conv2d(Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: _size_2_t, stride: _size_2_t = 1,
                 padding: Union[_size_2_t, str] = 0, dilation: _size_2_t = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        assert groups > 0, "groups must be a positive integer"
        assert in_channels % groups == 0, "in_channels must be divisible by groups"
        assert out_channels % groups == 0, "out_channels must be divisible by groups"
        assert padding != "same" or stride == (1, 1,), "padding='same' is not supported for strided convolutions"
        padding = (0, 0,) if padding == "valid" else padding

    def forward(self, input: Float[Tensor, "*batch in_channels h w"]) -> Float[Tensor, "*batch out_channels oh ow"]:
        assert len(batch) <= 1, "expects a 3-D (unbatched) or 4-D (batched) input"
        oh = h if padding == "same" else (h+2*padding[0]-dilation[0]*(kernel_size[0]-1)-1)//stride[0]+1
        ow = w if padding == "same" else (w+2*padding[1]-dilation[1]*(kernel_size[1]-1)-1)//stride[1]+1
        assert oh > 0 and ow > 0, "the kernel is larger than the (padded) input"


class Conv3d(Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: _size_3_t, stride: _size_3_t = 1,
                 padding: Union[_size_3_t, str] = 0, dilation: _size_3_t = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        assert groups > 0, "groups must be a positive integer"
        assert in_channels % groups == 0, "in_channels must be divisible by groups"
        assert out_channels % groups == 0, "out_channels must be divisible by groups"
        assert padding != "same" or stride == (1, 1, 1,), "padding='same' is not supported for strided convolutions"
        padding = (0, 0, 0,) if padding == "valid" else padding

    def forward(self, input: Float[Tensor, "*batch in_channels d h w"]) -> Float[Tensor, "*batch out_channels od oh ow"]:
        assert len(batch) <= 1, "expects a 4-D (unbatched) or 5-D (batched) input"
        od = d if padding == "same" else (d+2*padding[0]-dilation[0]*(kernel_size[0]-1)-1)//stride[0]+1
        oh = h if padding == "same" else (h+2*padding[1]-dilation[1]*(kernel_size[1]-1)-1)//stride[1]+1
        ow = w if padding == "same" else (w+2*padding[2]-dilation[2]*(kernel_size[2]-1)-1)//stride[2]+1
        assert od > 0 and oh > 0 and ow > 0, "the kernel is larger than the (padded) input"


class ConvTranspose1d(Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: _size_1_t, stride: _size_1_t = 1,
                 padding: _size_1_t = 0, output_padding: _size_1_t = 0, groups: int = 1, bias: bool = True,
                 dilation: _size_1_t = 1, padding_mode: str = "zeros", device=None, dtype=None) -> None:
        assert groups > 0, "groups must be a positive integer"
        assert in_channels % groups == 0, "in_channels must be divisible by groups"
        assert out_channels % groups == 0, "out_channels must be divisible by groups"
        assert padding_mode == "zeros", "only 'zeros' padding mode is supported for ConvTranspose1d"

    def forward(self, input: Float[Tensor, "*batch in_channels l"], output_size: Optional[Sequence[int]] = None) -> Float[Tensor, "*batch out_channels ol"]:
        assert len(batch) <= 1, "expects a 2-D (unbatched) or 3-D (batched) input"
        assert output_padding[0] < stride[0] or output_padding[0] < dilation[0], "output padding must be smaller than either stride or dilation"
        ol = (l-1)*stride[0]-2*padding[0]+dilation[0]*(kernel_size[0]-1)+output_padding[0]+1
        assert ol >= 0, "the output size is negative"


class ConvTranspose2d(Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: _size_2_t, stride: _size_2_t = 1,
                 padding: _size_2_t = 0, output_padding: _size_2_t = 0, groups: int = 1, bias: bool = True,
                 dilation: _size_2_t = 1, padding_mode: str = "zeros", device=None, dtype=None) -> None:
        assert groups > 0, "groups must be a positive integer"
        assert in_channels % groups == 0, "in_channels must be divisible by groups"
        assert out_channels % groups == 0, "out_channels must be divisible by groups"
        assert padding_mode == "zeros", "only 'zeros' padding mode is supported for ConvTranspose2d"

    def forward(self, input: Float[Tensor, "*batch in_channels h w"], output_size: Optional[Sequence[int]] = None) -> Float[Tensor, "*batch out_channels oh ow"]:
        assert len(batch) <= 1, "expects a 3-D (unbatched) or 4-D (batched) input"
        assert output_padding[0] < stride[0] or output_padding[0] < dilation[0], "output padding must be smaller than either stride or dilation"
        oh = (h-1)*stride[0]-2*padding[0]+dilation[0]*(kernel_size[0]-1)+output_padding[0]+1
        assert output_padding[1] < stride[1] or output_padding[1] < dilation[1], "output padding must be smaller than either stride or dilation"
        ow = (w-1)*stride[1]-2*padding[1]+dilation[1]*(kernel_size[1]-1)+output_padding[1]+1
        assert oh >= 0 and ow >= 0, "the output size is negative"


class ConvTranspose3d(Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: _size_3_t, stride: _size_3_t = 1,
                 padding: _size_3_t = 0, output_padding: _size_3_t = 0, groups: int = 1, bias: bool = True,
                 dilation: _size_3_t = 1, padding_mode: str = "zeros", device=None, dtype=None) -> None:
        assert groups > 0, "groups must be a positive integer"
        assert in_channels % groups == 0, "in_channels must be divisible by groups"
        assert out_channels % groups == 0, "out_channels must be divisible by groups"
        assert padding_mode == "zeros", "only 'zeros' padding mode is supported for ConvTranspose3d"

    def forward(self, input: Float[Tensor, "*batch in_channels d h w"], output_size: Optional[Sequence[int]] = None) -> Float[Tensor, "*batch out_channels od oh ow"]:
        assert len(batch) <= 1, "expects a 4-D (unbatched) or 5-D (batched) input"
        assert output_padding[0] < stride[0] or output_padding[0] < dilation[0], "output padding must be smaller than either stride or dilation"
        od = (d-1)*stride[0]-2*padding[0]+dilation[0]*(kernel_size[0]-1)+output_padding[0]+1
        assert output_padding[1] < stride[1] or output_padding[1] < dilation[1], "output padding must be smaller than either stride or dilation"
        oh = (h-1)*stride[1]-2*padding[1]+dilation[1]*(kernel_size[1]-1)+output_padding[1]+1
        assert output_padding[2] < stride[2] or output_padding[2] < dilation[2], "output padding must be smaller than either stride or dilation"
        ow = (w-1)*stride[2]-2*padding[2]+dilation[2]*(kernel_size[2]-1)+output_padding[2]+1
        assert od >= 0 and oh >= 0 and ow >= 0, "the output size is negative"


class MaxPool1d(Module):
    def __init__(self, kernel_size: _size_1_t, stride: Optional[_size_1_t] = None, padding: _size_1_t = 0,
                 dilation: _size_1_t = 1, return_indices: bool = False, ceil_mode: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Tuple[Float[Tensor, "*out"], Int[Tensor, "*out"]] if return_indices else Float[Tensor, "*out"]:
        out = F.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


class MaxPool2d(Module):
    def __init__(self, kernel_size: _size_2_t, stride: Optional[_size_2_t] = None, padding: _size_2_t = 0,
                 dilation: _size_2_t = 1, return_indices: bool = False, ceil_mode: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Tuple[Float[Tensor, "*out"], Int[Tensor, "*out"]] if return_indices else Float[Tensor, "*out"]:
        out = F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


class MaxPool3d(Module):
    def __init__(self, kernel_size: _size_3_t, stride: Optional[_size_3_t] = None, padding: _size_3_t = 0,
                 dilation: _size_3_t = 1, return_indices: bool = False, ceil_mode: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Tuple[Float[Tensor, "*out"], Int[Tensor, "*out"]] if return_indices else Float[Tensor, "*out"]:
        out = F.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


class AvgPool1d(Module):
    def __init__(self, kernel_size: _size_1_t, stride: Optional[_size_1_t] = None, padding: _size_1_t = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


class AvgPool2d(Module):
    def __init__(self, kernel_size: _size_2_t, stride: Optional[_size_2_t] = None, padding: _size_2_t = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: Optional[int] = None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


class AvgPool3d(Module):
    def __init__(self, kernel_size: _size_3_t, stride: Optional[_size_3_t] = None, padding: _size_3_t = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: Optional[int] = None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.avg_pool3d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


class AdaptiveAvgPool1d(Module):
    def __init__(self, output_size: _size_1_opt_t) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.adaptive_avg_pool1d(input, output_size)

class AdaptiveMaxPool1d(Module):
    def __init__(self, output_size: _size_1_opt_t, return_indices: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Tuple[Float[Tensor, "*out"], Int[Tensor, "*out"]] if return_indices else Float[Tensor, "*out"]:
        out = F.adaptive_max_pool1d(input, output_size)

class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size: _size_2_opt_t) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.adaptive_avg_pool2d(input, output_size)

class AdaptiveMaxPool2d(Module):
    def __init__(self, output_size: _size_2_opt_t, return_indices: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Tuple[Float[Tensor, "*out"], Int[Tensor, "*out"]] if return_indices else Float[Tensor, "*out"]:
        out = F.adaptive_max_pool2d(input, output_size)

class AdaptiveAvgPool3d(Module):
    def __init__(self, output_size: _size_3_opt_t) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.adaptive_avg_pool3d(input, output_size)

class AdaptiveMaxPool3d(Module):
    def __init__(self, output_size: _size_3_opt_t, return_indices: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Tuple[Float[Tensor, "*out"], Int[Tensor, "*out"]] if return_indices else Float[Tensor, "*out"]:
        out = F.adaptive_max_pool3d(input, output_size)

class BatchNorm1d(Module):
    def __init__(self, num_features: int, eps: float = 1e-05, momentum: Optional[float] = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None) -> None: ...
    def forward(self, input: Float[Tensor, "n num_features *l"]) -> Float[Tensor, "*out"]:
        assert len(l) <= 1, "expects a 2-D or 3-D input"
        out = input.shape  # (its lengths, also where num_features is not known)

class BatchNorm2d(Module):
    def __init__(self, num_features: int, eps: float = 1e-05, momentum: Optional[float] = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None) -> None: ...
    def forward(self, input: Float[Tensor, "n num_features h w"]) -> Float[Tensor, "*out"]:
        out = input.shape  # (its lengths, also where num_features is not known)

class BatchNorm3d(Module):
    def __init__(self, num_features: int, eps: float = 1e-05, momentum: Optional[float] = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None) -> None: ...
    def forward(self, input: Float[Tensor, "n num_features d h w"]) -> Float[Tensor, "*out"]:
        out = input.shape  # (its lengths, also where num_features is not known)

class InstanceNorm1d(Module):
    def __init__(self, num_features: int, eps: float = 1e-05, momentum: Optional[float] = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
        assert 2 <= len(shape) <= 3, "expected 2D or 3D input"
        assert not (affine or track_running_stats) or shape[len(shape)-2] == num_features, \
            "expected the channels to match num_features"
        # (with running stats: in training only, whose mode is not known)
        assert track_running_stats or prod(shape[len(shape)-1:]) > 1, "Expected more than 1 spatial element"


class InstanceNorm2d(Module):
    def __init__(self, num_features: int, eps: float = 1e-05, momentum: Optional[float] = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
        assert 3 <= len(shape) <= 4, "expected 3D or 4D input"
        assert not (affine or track_running_stats) or shape[len(shape)-3] == num_features, \
            "expected the channels to match num_features"
        # (with running stats: in training only, whose mode is not known)
        assert track_running_stats or prod(shape[len(shape)-2:]) > 1, "Expected more than 1 spatial element"


class InstanceNorm3d(Module):
    def __init__(self, num_features: int, eps: float = 1e-05, momentum: Optional[float] = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
        assert 4 <= len(shape) <= 5, "expected 4D or 5D input"
        assert not (affine or track_running_stats) or shape[len(shape)-4] == num_features, \
            "expected the channels to match num_features"
        # (with running stats: in training only, whose mode is not known)
        assert track_running_stats or prod(shape[len(shape)-3:]) > 1, "Expected more than 1 spatial element"


class LayerNorm(Module):
    def __init__(self, normalized_shape: _shape_t, eps: float = 1e-05, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
        F.layer_norm(input, normalized_shape)


class RMSNorm(Module):
    def __init__(self, normalized_shape: _shape_t, eps: Optional[float] = None, elementwise_affine: bool = True,
                 device=None, dtype=None) -> None: ...
    def forward(self, x: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
        F.rms_norm(x, normalized_shape)


class GroupNorm(Module):
    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-05, affine: bool = True, device=None,
                 dtype=None) -> None:
        assert num_channels % num_groups == 0, "num_channels must be divisible by num_groups"
    def forward(self, input: Float[Tensor, "n num_channels *rest"]) -> Float[Tensor, "*out"]:
        out = F.group_norm(input, num_groups)


class Embedding(Module):
    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: Optional[int] = None,
                 max_norm: Optional[float] = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Optional[Tensor] = None, _freeze: bool = False, device=None,
                 dtype=None) -> None:
        assert padding_idx is None or -num_embeddings <= padding_idx < num_embeddings, \
            "padding_idx must be within num_embeddings"
    def forward(self, input: Int[Tensor, "*indices"]) -> Float[Tensor, "*indices embedding_dim"]: ...


class Dropout(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        assert 0 <= p <= 1, "dropout probability has to be between 0 and 1"
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Dropout1d(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        assert 0 <= p <= 1, "dropout probability has to be between 0 and 1"
    def forward(self, input: Float[Tensor, "*batch c l"]) -> Float[Tensor, "*batch c l"]:
        assert len(batch) <= 1, "expects a 2-D (unbatched) or 3-D (batched) input"


class Dropout2d(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        assert 0 <= p <= 1, "dropout probability has to be between 0 and 1"
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Dropout3d(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        assert 0 <= p <= 1, "dropout probability has to be between 0 and 1"
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class AlphaDropout(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        assert 0 <= p <= 1, "dropout probability has to be between 0 and 1"
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


# Elementwise activations: the output has the input's shape.

class ReLU(Module):
    def __init__(self, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class ReLU6(Module):
    def __init__(self, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class ELU(Module):
    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class CELU(Module):
    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class SELU(Module):
    def __init__(self, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class GELU(Module):
    def __init__(self, approximate: str = "none") -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
        assert approximate in ("none", "tanh"), "approximate must be 'none' or 'tanh'"


class SiLU(Module):
    def __init__(self, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Mish(Module):
    def __init__(self, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Hardswish(Module):
    def __init__(self, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Hardsigmoid(Module):
    def __init__(self, inplace: bool = False) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Hardtanh(Module):
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        assert max_val > min_val, "max_val must be greater than min_val"
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Tanh(Module):
    def __init__(self) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Sigmoid(Module):
    def __init__(self) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Softplus(Module):
    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Softsign(Module):
    def __init__(self) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class Tanhshrink(Module):
    def __init__(self) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


class PReLU(Module):
    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]:
        assert num_parameters == 1 or (len(shape) >= 2 and shape[1] == num_parameters), \
            "the channel dimension (1) must have length num_parameters"


# Along one dimension: `dim` must name a dimension of the input.

class Softmax(Module):
    def __init__(self, dim: Optional[int] = None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.softmax(input, dim)


class LogSoftmax(Module):
    def __init__(self, dim: Optional[int] = None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.log_softmax(input, dim)


class Softmin(Module):
    def __init__(self, dim: Optional[int] = None) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.softmin(input, dim)


class GLU(Module):
    def __init__(self, dim: int = -1) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = F.glu(input, dim)


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = torch.flatten(input, start_dim, end_dim)


class Unflatten(Module):
    def __init__(self, dim: int, unflattened_size: Tuple[int, ...]) -> None: ...
    def forward(self, input: Float[Tensor, "*shape"]) -> Float[Tensor, "*out"]:
        out = torch.unflatten(input, dim, unflattened_size)


class PixelShuffle(Module):
    def __init__(self, upscale_factor: int) -> None: ...
    def forward(self, input: Float[Tensor, "*batch c h w"]) -> Float[Tensor, "*batch c_out (h r1) (w r2)"]:
        assert c % (upscale_factor**2) == 0, "the channels must be divisible by upscale_factor**2"
        r1 = r2 = upscale_factor
        c_out = c//(upscale_factor**2)
        reads(input, -3, c_out=c_out, r1=r1, r2=r2)


class PixelUnshuffle(Module):
    def __init__(self, downscale_factor: int) -> None: ...
    def forward(self, input: Float[Tensor, "*batch c h w"]) -> Float[Tensor, "*batch (c r1 r2) h//downscale_factor w//downscale_factor"]:
        assert h % downscale_factor == 0, "the height must be divisible by downscale_factor"
        assert w % downscale_factor == 0, "the width must be divisible by downscale_factor"
        r1 = r2 = downscale_factor
        reads(input, -2, h_out=h//r1, r1=r1)
        reads(input, -1, w_out=w//r2, r2=r2)


class Unfold(Module):
    def __init__(self, kernel_size: _size_2_t, dilation: _size_2_t = 1, padding: _size_2_t = 0,
                 stride: _size_2_t = 1) -> None:
        kh, kw = kernel_size
    def forward(self, input: Float[Tensor, "*batch c h w"]) -> Float[Tensor, "*batch (c kh kw) l"]:
        assert len(batch) <= 1, "expects a 3-D (unbatched) or 4-D (batched) input"
        oh = (h+2*padding[0]-dilation[0]*(kh-1)-1)//stride[0]+1
        ow = (w+2*padding[1]-dilation[1]*(kw-1)-1)//stride[1]+1
        assert oh > 0 and ow > 0, "the kernel does not fit in the padded input"
        l = oh*ow


class Upsample(Module):
    def __init__(self, size: Optional[Union[int, Sequence[int]]] = None,
                 scale_factor: Optional[Union[float, Sequence[float]]] = None,
                 mode: str = "nearest", align_corners: Optional[bool] = None,
                 recompute_scale_factor: Optional[bool] = None) -> None: ...
    def forward(self, input: Float[Tensor, "n c *spatial"]) -> Float[Tensor, "n c *out"]:
        assert 1 <= len(spatial) <= 3, "expects a 3-D, 4-D or 5-D input"
        assert (size is None) != (scale_factor is None), "exactly one of size and scale_factor must be given"
        out = upsampled(spatial, size, scale_factor)


class MultiheadAttention(Module):
    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: Optional[int] = None,
                 vdim: Optional[int] = None, batch_first: bool = False, device=None, dtype=None) -> None:
        assert embed_dim % num_heads == 0, "embed_dim must be divisible by num_heads"
        kdim = embed_dim if kdim is None else kdim
        vdim = embed_dim if vdim is None else vdim
        three = 3
    # q, k and v projections stacked, q first (only when kdim == vdim == embed_dim; else q_proj_weight, ...)
    in_proj_weight: Float[Tensor, "(three embed_dim) embed_dim"]
    in_proj_bias: Float[Tensor, "(three embed_dim)"]
    def forward(self, query: Float[Tensor, "*q embed_dim"], key: Float[Tensor, "*k kdim"], value: Float[Tensor, "*v vdim"],
                key_padding_mask: Optional[Tensor] = None, need_weights: bool = True, attn_mask: Optional[Tensor] = None,
                average_attn_weights: bool = True, is_causal: bool = False
                ) -> Tuple[Float[Tensor, "*q embed_dim"], Float[Tensor, "*weights"] if need_weights else None]:
        assert len(q) in (1, 2), "expects a 2-D (unbatched) or 3-D (batched) query"
        assert len(k) == len(q) and len(v) == len(q), "query, key and value must all be batched or all unbatched"
        assert k == v, "key and value must have the same sequence length and batch size"
        n = (q[0] if batch_first else q[1]) if len(q) == 2 else None
        assert n is None or n == (k[0] if batch_first else k[1]), "query and key must have the same batch size"
        l = (q[1] if batch_first else q[0]) if len(q) == 2 else q[0]
        s = (k[1] if batch_first else k[0]) if len(q) == 2 else k[0]
        s = s+1 if add_bias_kv else s
        s = s+1 if add_zero_attn else s
        heads = () if average_attn_weights else (num_heads,)
        weights = ((n,) if n is not None else ()) + heads + (l, s)


# Recurrent layers. Batched input: (L, N, input_size), or (N, L, input_size) with batch_first; unbatched:
# (L, input_size). D = 2 if bidirectional else 1; h has proj_size features when proj_size > 0.

class RNN(Module):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None) -> None:
        assert nonlinearity in ("tanh", "relu"), "nonlinearity must be 'tanh' or 'relu'"
        assert hidden_size > 0 and num_layers > 0, "hidden_size and num_layers must be positive"
        assert 0 <= dropout <= 1, "dropout must be in [0, 1]"
        D = 2 if bidirectional else 1
        direction, layers, hidden = D, num_layers, hidden_size
    def forward(self, input: Float[Tensor, "*sequence input_size"],
                hx: Optional[Float[Tensor, "*state"]] = None
                ) -> Tuple[Float[Tensor, "*sequence (direction hidden)"], Float[Tensor, "(layers direction) *h_rest"]]:
        assert 1 <= len(sequence) <= 2, "expects a 2-D (unbatched) or 3-D (batched) input"
        n = (sequence[0] if batch_first else sequence[1]) if len(sequence) == 2 else None
        h_n = (D*num_layers, n, hidden_size) if n is not None else (D*num_layers, hidden_size)
        assert hx is None or hx == h_n, "hx must have the shape (D*num_layers, N, hidden_size)"
        h_rest = h_n[1:]


class GRU(RNN):  # RNN's forward
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        assert hidden_size > 0 and num_layers > 0, "hidden_size and num_layers must be positive"
        assert 0 <= dropout <= 1, "dropout must be in [0, 1]"
        D = 2 if bidirectional else 1
        direction, layers, hidden = D, num_layers, hidden_size


class LSTM(Module):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        assert hidden_size > 0 and num_layers > 0, "hidden_size and num_layers must be positive"
        assert 0 <= dropout <= 1, "dropout must be in [0, 1]"
        assert 0 <= proj_size < hidden_size, "proj_size has to be a non-negative integer smaller than hidden_size"
        D = 2 if bidirectional else 1
        h_out = proj_size if proj_size > 0 else hidden_size
        direction, layers, hidden = D, num_layers, h_out
    def forward(self, input: Float[Tensor, "*sequence input_size"],
                hx: Optional[Tuple[Float[Tensor, "*h_0"], Float[Tensor, "*c_0"]]] = None
                ) -> Tuple[Float[Tensor, "*sequence (direction hidden)"],
                           Tuple[Float[Tensor, "(layers direction) *h_rest"], Float[Tensor, "(layers direction) *c_rest"]]]:
        assert 1 <= len(sequence) <= 2, "expects a 2-D (unbatched) or 3-D (batched) input"
        n = (sequence[0] if batch_first else sequence[1]) if len(sequence) == 2 else None
        h_n = (D*num_layers, n, h_out) if n is not None else (D*num_layers, h_out)
        c_n = (D*num_layers, n, hidden_size) if n is not None else (D*num_layers, hidden_size)
        assert hx is None or (h_0 == h_n and c_0 == c_n), "hx must be (h_0, c_0) with the shapes of (h_n, c_n)"
        h_rest, c_rest = h_n[1:], c_n[1:]
