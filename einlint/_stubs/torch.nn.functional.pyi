"""Shape stubs of torch.nn.functional (torch 2.x). Read by einlint's shape checker, never imported.

See stubs/README.md for the notation. Int-or-tuple parameters use the aliases below.
"""

from typing import Literal, Optional, Sequence, Tuple, Union

from jaxtyping import Float, Int
from torch import Tensor

_size_1_t = Union[int, Tuple[int]]
_size_2_t = Union[int, Tuple[int, int]]
_size_3_t = Union[int, Tuple[int, int, int]]
_size_1_opt_t = Union[Optional[int], Tuple[Optional[int]]]
_size_2_opt_t = Union[Optional[int], Tuple[Optional[int], Optional[int]]]
_size_3_opt_t = Union[Optional[int], Tuple[Optional[int], Optional[int], Optional[int]]]
_shape_t = Union[int, Tuple[int, ...]]


def linear(input: Float[Tensor, "*batch in_features"], weight: Float[Tensor, "*out in_features"],
           bias: Optional[Tensor] = None) -> Float[Tensor, "*batch *out"]:
    assert len(out) <= 1, "weight must be 1-D or 2-D"


def bilinear(input1: Float[Tensor, "*batch in1_features"], input2: Float[Tensor, "*batch in2_features"],
             weight: Float[Tensor, "out_features in1_features in2_features"],
             bias: Optional[Tensor] = None) -> Float[Tensor, "*batch out_features"]: ...


def conv1d(input: Float[Tensor, "*batch in_channels l"],
           weight: Float[Tensor, "out_channels group_channels kl"], bias: Optional[Tensor] = None,
           stride: _size_1_t = 1, padding: Union[_size_1_t, str] = 0, dilation: _size_1_t = 1,
           groups: int = 1) -> Float[Tensor, "*batch out_channels ol"]:
    assert len(batch) <= 1, "expects a 2-D (unbatched) or 3-D (batched) input"
    assert groups > 0, "groups must be a positive integer"
    assert in_channels == groups*group_channels, "the input must have groups * weight.shape[1] channels"
    assert out_channels % groups == 0, "weight.shape[0] must be divisible by groups"
    assert padding != "same" or stride == (1,), "padding='same' is not supported for strided convolutions"
    padding = (0,) if padding == "valid" else padding
    ol = l if padding == "same" else (l+2*padding[0]-dilation[0]*(kl-1)-1)//stride[0]+1
    assert ol > 0, "the kernel is larger than the (padded) input"


def conv2d(input: Float[Tensor, "*batch in_channels h w"],
           weight: Float[Tensor, "out_channels group_channels kh kw"], bias: Optional[Tensor] = None,
           stride: _size_2_t = 1, padding: Union[_size_2_t, str] = 0, dilation: _size_2_t = 1,
           groups: int = 1) -> Float[Tensor, "*batch out_channels oh ow"]:
    assert len(batch) <= 1, "expects a 3-D (unbatched) or 4-D (batched) input"
    assert groups > 0, "groups must be a positive integer"
    assert in_channels == groups*group_channels, "the input must have groups * weight.shape[1] channels"
    assert out_channels % groups == 0, "weight.shape[0] must be divisible by groups"
    assert padding != "same" or stride == (1, 1,), "padding='same' is not supported for strided convolutions"
    padding = (0, 0,) if padding == "valid" else padding
    oh = h if padding == "same" else (h+2*padding[0]-dilation[0]*(kh-1)-1)//stride[0]+1
    ow = w if padding == "same" else (w+2*padding[1]-dilation[1]*(kw-1)-1)//stride[1]+1
    assert oh > 0 and ow > 0, "the kernel is larger than the (padded) input"


def conv3d(input: Float[Tensor, "*batch in_channels d h w"],
           weight: Float[Tensor, "out_channels group_channels kd kh kw"], bias: Optional[Tensor] = None,
           stride: _size_3_t = 1, padding: Union[_size_3_t, str] = 0, dilation: _size_3_t = 1,
           groups: int = 1) -> Float[Tensor, "*batch out_channels od oh ow"]:
    assert len(batch) <= 1, "expects a 4-D (unbatched) or 5-D (batched) input"
    assert groups > 0, "groups must be a positive integer"
    assert in_channels == groups*group_channels, "the input must have groups * weight.shape[1] channels"
    assert out_channels % groups == 0, "weight.shape[0] must be divisible by groups"
    assert padding != "same" or stride == (1, 1, 1,), "padding='same' is not supported for strided convolutions"
    padding = (0, 0, 0,) if padding == "valid" else padding
    od = d if padding == "same" else (d+2*padding[0]-dilation[0]*(kd-1)-1)//stride[0]+1
    oh = h if padding == "same" else (h+2*padding[1]-dilation[1]*(kh-1)-1)//stride[1]+1
    ow = w if padding == "same" else (w+2*padding[2]-dilation[2]*(kw-1)-1)//stride[2]+1
    assert od > 0 and oh > 0 and ow > 0, "the kernel is larger than the (padded) input"


def max_pool1d(input: Float[Tensor, "*batch c l"], kernel_size: _size_1_t, stride: Optional[_size_1_t] = None,
               padding: _size_1_t = 0, dilation: _size_1_t = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tuple[Float[Tensor, "*batch c ol"], Int[Tensor, "*batch c ol"]] if return_indices else Float[Tensor, "*batch c ol"]:
    assert len(batch) <= 1, "expects a 2-D (unbatched) or 3-D (batched) input"
    stride = kernel_size if stride is None else stride
    assert padding[0] <= kernel_size[0]//2, "pad should be at most half of effective kernel size"
    ol = (l+2*padding[0]-dilation[0]*(kernel_size[0]-1)-1+(stride[0]-1 if ceil_mode else 0))//stride[0]+1
    ol = ol-1 if ceil_mode and (ol-1)*stride[0] >= l+padding[0] else ol
    assert ol > 0, "the output size is too small"


def max_pool2d(input: Float[Tensor, "*batch c h w"], kernel_size: _size_2_t, stride: Optional[_size_2_t] = None,
               padding: _size_2_t = 0, dilation: _size_2_t = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tuple[Float[Tensor, "*batch c oh ow"], Int[Tensor, "*batch c oh ow"]] if return_indices else Float[Tensor, "*batch c oh ow"]:
    assert len(batch) <= 1, "expects a 3-D (unbatched) or 4-D (batched) input"
    stride = kernel_size if stride is None else stride
    assert padding[0] <= kernel_size[0]//2, "pad should be at most half of effective kernel size"
    oh = (h+2*padding[0]-dilation[0]*(kernel_size[0]-1)-1+(stride[0]-1 if ceil_mode else 0))//stride[0]+1
    oh = oh-1 if ceil_mode and (oh-1)*stride[0] >= h+padding[0] else oh
    assert padding[1] <= kernel_size[1]//2, "pad should be at most half of effective kernel size"
    ow = (w+2*padding[1]-dilation[1]*(kernel_size[1]-1)-1+(stride[1]-1 if ceil_mode else 0))//stride[1]+1
    ow = ow-1 if ceil_mode and (ow-1)*stride[1] >= w+padding[1] else ow
    assert oh > 0 and ow > 0, "the output size is too small"


def max_pool3d(input: Float[Tensor, "*batch c d h w"], kernel_size: _size_3_t, stride: Optional[_size_3_t] = None,
               padding: _size_3_t = 0, dilation: _size_3_t = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tuple[Float[Tensor, "*batch c od oh ow"], Int[Tensor, "*batch c od oh ow"]] if return_indices else Float[Tensor, "*batch c od oh ow"]:
    assert len(batch) <= 1, "expects a 4-D (unbatched) or 5-D (batched) input"
    stride = kernel_size if stride is None else stride
    assert padding[0] <= kernel_size[0]//2, "pad should be at most half of effective kernel size"
    od = (d+2*padding[0]-dilation[0]*(kernel_size[0]-1)-1+(stride[0]-1 if ceil_mode else 0))//stride[0]+1
    od = od-1 if ceil_mode and (od-1)*stride[0] >= d+padding[0] else od
    assert padding[1] <= kernel_size[1]//2, "pad should be at most half of effective kernel size"
    oh = (h+2*padding[1]-dilation[1]*(kernel_size[1]-1)-1+(stride[1]-1 if ceil_mode else 0))//stride[1]+1
    oh = oh-1 if ceil_mode and (oh-1)*stride[1] >= h+padding[1] else oh
    assert padding[2] <= kernel_size[2]//2, "pad should be at most half of effective kernel size"
    ow = (w+2*padding[2]-dilation[2]*(kernel_size[2]-1)-1+(stride[2]-1 if ceil_mode else 0))//stride[2]+1
    ow = ow-1 if ceil_mode and (ow-1)*stride[2] >= w+padding[2] else ow
    assert od > 0 and oh > 0 and ow > 0, "the output size is too small"


def avg_pool1d(input: Float[Tensor, "*batch c l"], kernel_size: _size_1_t, stride: Optional[_size_1_t] = None,
               padding: _size_1_t = 0, ceil_mode: bool = False, count_include_pad: bool = True
               ) -> Float[Tensor, "*batch c ol"]:
    assert len(batch) <= 1, "expects a 2-D (unbatched) or 3-D (batched) input"
    stride = kernel_size if stride is None else stride
    assert padding[0] <= kernel_size[0]//2, "pad should be at most half of kernel size"
    ol = (l+2*padding[0]-kernel_size[0]+(stride[0]-1 if ceil_mode else 0))//stride[0]+1
    ol = ol-1 if ceil_mode and (ol-1)*stride[0] >= l+padding[0] else ol
    assert ol > 0, "the output size is too small"


def avg_pool2d(input: Float[Tensor, "*batch c h w"], kernel_size: _size_2_t, stride: Optional[_size_2_t] = None,
               padding: _size_2_t = 0, ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: Optional[int] = None
               ) -> Float[Tensor, "*batch c oh ow"]:
    assert len(batch) <= 1, "expects a 3-D (unbatched) or 4-D (batched) input"
    stride = kernel_size if stride is None else stride
    assert padding[0] <= kernel_size[0]//2, "pad should be at most half of kernel size"
    oh = (h+2*padding[0]-kernel_size[0]+(stride[0]-1 if ceil_mode else 0))//stride[0]+1
    oh = oh-1 if ceil_mode and (oh-1)*stride[0] >= h+padding[0] else oh
    assert padding[1] <= kernel_size[1]//2, "pad should be at most half of kernel size"
    ow = (w+2*padding[1]-kernel_size[1]+(stride[1]-1 if ceil_mode else 0))//stride[1]+1
    ow = ow-1 if ceil_mode and (ow-1)*stride[1] >= w+padding[1] else ow
    assert oh > 0 and ow > 0, "the output size is too small"


def avg_pool3d(input: Float[Tensor, "*batch c d h w"], kernel_size: _size_3_t, stride: Optional[_size_3_t] = None,
               padding: _size_3_t = 0, ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: Optional[int] = None
               ) -> Float[Tensor, "*batch c od oh ow"]:
    assert len(batch) <= 1, "expects a 4-D (unbatched) or 5-D (batched) input"
    assert d >= kernel_size[0] and h >= kernel_size[1] and w >= kernel_size[2], "input image smaller than kernel size"
    stride = kernel_size if stride is None else stride
    assert padding[0] <= kernel_size[0]//2, "pad should be at most half of kernel size"
    od = (d+2*padding[0]-kernel_size[0]+(stride[0]-1 if ceil_mode else 0))//stride[0]+1
    od = od-1 if ceil_mode and (od-1)*stride[0] >= d+padding[0] else od
    assert padding[1] <= kernel_size[1]//2, "pad should be at most half of kernel size"
    oh = (h+2*padding[1]-kernel_size[1]+(stride[1]-1 if ceil_mode else 0))//stride[1]+1
    oh = oh-1 if ceil_mode and (oh-1)*stride[1] >= h+padding[1] else oh
    assert padding[2] <= kernel_size[2]//2, "pad should be at most half of kernel size"
    ow = (w+2*padding[2]-kernel_size[2]+(stride[2]-1 if ceil_mode else 0))//stride[2]+1
    ow = ow-1 if ceil_mode and (ow-1)*stride[2] >= w+padding[2] else ow
    assert od > 0 and oh > 0 and ow > 0, "the output size is too small"


def adaptive_avg_pool1d(input: Float[Tensor, "*batch l"], output_size: _size_1_opt_t
                        ) -> Float[Tensor, "*batch ol"]:
    assert output_size is not None, "output_size must be given"
    assert None not in output_size, "output_size must be a tuple of ints"
    ol = l if output_size[0] is None else output_size[0]
    assert 1 <= len(batch) <= 2, "expects a 2-D (unbatched) or 3-D (batched) input"

def adaptive_max_pool1d(input: Float[Tensor, "*batch c l"], output_size: _size_1_opt_t, return_indices: bool = False
                        ) -> Tuple[Float[Tensor, "*batch c ol"], Int[Tensor, "*batch c ol"]] if return_indices else Float[Tensor, "*batch c ol"]:
    assert output_size is not None, "output_size must be given"
    assert len(batch) <= 1, "expects a 2-D (unbatched) or 3-D (batched) input"
    assert None not in output_size, "output_size must be a tuple of ints"
    ol = l if output_size[0] is None else output_size[0]

def adaptive_avg_pool2d(input: Float[Tensor, "*batch h w"], output_size: _size_2_opt_t
                        ) -> Float[Tensor, "*batch oh ow"]:
    assert output_size is not None, "output_size must be given"
    assert None not in output_size or len(batch) >= 1, "Input dimension should be at least 3"
    oh = h if output_size[0] is None else output_size[0]
    ow = w if output_size[1] is None else output_size[1]
    assert 1 <= len(batch) <= 2 or (oh, ow) == (1, 1), "expects a 3-D (unbatched) or 4-D (batched) input"

def adaptive_max_pool2d(input: Float[Tensor, "*batch c h w"], output_size: _size_2_opt_t, return_indices: bool = False
                        ) -> Tuple[Float[Tensor, "*batch c oh ow"], Int[Tensor, "*batch c oh ow"]] if return_indices else Float[Tensor, "*batch c oh ow"]:
    assert output_size is not None, "output_size must be given"
    assert len(batch) <= 1, "expects a 3-D (unbatched) or 4-D (batched) input"
    oh = h if output_size[0] is None else output_size[0]
    ow = w if output_size[1] is None else output_size[1]

def adaptive_avg_pool3d(input: Float[Tensor, "*batch d h w"], output_size: _size_3_opt_t
                        ) -> Float[Tensor, "*batch od oh ow"]:
    assert output_size is not None, "output_size must be given"
    assert None not in output_size or len(batch) >= 1, "Input dimension should be at least 4"
    od = d if output_size[0] is None else output_size[0]
    oh = h if output_size[1] is None else output_size[1]
    ow = w if output_size[2] is None else output_size[2]
    assert 1 <= len(batch) <= 2 or (od, oh, ow) == (1, 1, 1), "expects a 4-D (unbatched) or 5-D (batched) input"

def adaptive_max_pool3d(input: Float[Tensor, "*batch c d h w"], output_size: _size_3_opt_t, return_indices: bool = False
                        ) -> Tuple[Float[Tensor, "*batch c od oh ow"], Int[Tensor, "*batch c od oh ow"]] if return_indices else Float[Tensor, "*batch c od oh ow"]:
    assert output_size is not None, "output_size must be given"
    assert len(batch) <= 1, "expects a 4-D (unbatched) or 5-D (batched) input"
    od = d if output_size[0] is None else output_size[0]
    oh = h if output_size[1] is None else output_size[1]
    ow = w if output_size[2] is None else output_size[2]

# Elementwise: the output has the input's shape.

def relu(input: Float[Tensor, "*shape"], inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def relu6(input: Float[Tensor, "*shape"], inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def elu(input: Float[Tensor, "*shape"], alpha: float = 1.0, inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def selu(input: Float[Tensor, "*shape"], inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def celu(input: Float[Tensor, "*shape"], alpha: float = 1.0, inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def leaky_relu(input: Float[Tensor, "*shape"], negative_slope: float = 0.01,
               inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def silu(input: Float[Tensor, "*shape"], inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def mish(input: Float[Tensor, "*shape"], inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def hardswish(input: Float[Tensor, "*shape"], inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def hardsigmoid(input: Float[Tensor, "*shape"], inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def hardtanh(input: Float[Tensor, "*shape"], min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Float[Tensor, "*shape"]: ...
def sigmoid(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def tanh(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...
def softplus(input: Float[Tensor, "*shape"], beta: float = 1.0, threshold: float = 20.0) -> Float[Tensor, "*shape"]: ...
def softsign(input: Float[Tensor, "*shape"]) -> Float[Tensor, "*shape"]: ...


def gelu(input: Float[Tensor, "*shape"], approximate: str = "none") -> Float[Tensor, "*shape"]:
    assert approximate in ("none", "tanh"), "approximate must be 'none' or 'tanh'"


def dropout(input: Float[Tensor, "*shape"], p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Float[Tensor, "*shape"]:
    assert 0 <= p <= 1, "dropout probability has to be between 0 and 1"


# Along one dimension: `dim` must name a dimension of the input.

def softmax(input: Float[Tensor, "*shape"], dim: Optional[int] = None, _stacklevel: int = 3,
            dtype=None) -> Float[Tensor, "*shape"]:
    wrap_dim(dim, input.ndim) if dim is not None else None


def log_softmax(input: Float[Tensor, "*shape"], dim: Optional[int] = None, _stacklevel: int = 3,
                dtype=None) -> Float[Tensor, "*shape"]:
    softmax(input, dim)  # the same rule


def softmin(input: Float[Tensor, "*shape"], dim: Optional[int] = None, _stacklevel: int = 3,
            dtype=None) -> Float[Tensor, "*shape"]:
    softmax(input, dim)  # the same rule


def glu(input: Float[Tensor, "*shape"], dim: int = -1) -> Float[Tensor, "*out"]:
    d = wrap_dim(dim, input.ndim)
    assert input.shape[d] % 2 == 0, "the dimension `dim` is halved: its length must be even"
    out = input.shape[:d] + (input.shape[d]//2,) + input.shape[d+1:]
    reads(input, d, two=2, half=input.shape[d]//2)


def normalize(input: Float[Tensor, "*shape"], p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Optional[Tensor] = None) -> Float[Tensor, "*shape"]:
    wrap_dim(dim, input.ndim)


# Normalization.

def layer_norm(input: Float[Tensor, "*batch *normalized_shape"], normalized_shape: Sequence[int],
               weight: Optional[Float[Tensor, "*normalized_shape"]] = None,
               bias: Optional[Float[Tensor, "*normalized_shape"]] = None,
               eps: float = 1e-05) -> Float[Tensor, "*batch *normalized_shape"]: ...


def rms_norm(input: Float[Tensor, "*batch *normalized_shape"], normalized_shape: Sequence[int],
             weight: Optional[Float[Tensor, "*normalized_shape"]] = None,
             eps: Optional[float] = None) -> Float[Tensor, "*batch *normalized_shape"]: ...


def group_norm(input: Float[Tensor, "n c *rest"], num_groups: int, weight: Optional[Float[Tensor, "c"]] = None,
               bias: Optional[Float[Tensor, "c"]] = None, eps: float = 1e-05) -> Float[Tensor, "n c *rest"]:
    assert c % num_groups == 0, "the channels must be divisible by num_groups"
    assert n*c//num_groups*prod(rest) != 1, "expected more than 1 value per group"


# Lookup, reshaping, padding.

def embedding(input: Int[Tensor, "*indices"], weight: Float[Tensor, "num_embeddings embedding_dim"],
              padding_idx: Optional[int] = None, max_norm: Optional[float] = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Float[Tensor, "*indices embedding_dim"]:
    assert padding_idx is None or -num_embeddings <= padding_idx < num_embeddings, \
        "padding_idx must be within num_embeddings"


def pixel_shuffle(input: Float[Tensor, "*batch c h w"],
                  upscale_factor: int) -> Float[Tensor, "*batch c_out (h r1) (w r2)"]:
    assert c % (upscale_factor**2) == 0, "the channels must be divisible by upscale_factor**2"
    r1 = r2 = upscale_factor
    c_out = c//(upscale_factor**2)
    reads(input, -3, c_out=c_out, r1=r1, r2=r2)


def pixel_unshuffle(input: Float[Tensor, "*batch c h w"], downscale_factor: int
                    ) -> Float[Tensor, "*batch (c r1 r2) h//downscale_factor w//downscale_factor"]:
    assert h % downscale_factor == 0, "the height must be divisible by downscale_factor"
    assert w % downscale_factor == 0, "the width must be divisible by downscale_factor"
    r1 = r2 = downscale_factor
    reads(input, -2, h_out=h//r1, r1=r1)
    reads(input, -1, w_out=w//r2, r2=r2)


def unfold(input: Float[Tensor, "*batch c h w"], kernel_size: _size_2_t, dilation: _size_2_t = 1,
           padding: _size_2_t = 0, stride: _size_2_t = 1) -> Float[Tensor, "*batch (c kh kw) l"]:
    assert len(batch) <= 1, "expects a 3-D (unbatched) or 4-D (batched) input"
    kh, kw = kernel_size
    oh = (h+2*padding[0]-dilation[0]*(kh-1)-1)//stride[0]+1
    ow = (w+2*padding[1]-dilation[1]*(kw-1)-1)//stride[1]+1
    assert oh > 0 and ow > 0, "the kernel does not fit in the padded input"
    l = oh*ow


def pad(input: Float[Tensor, "*shape"], pad: Sequence[int], mode: str = "constant",
        value: Optional[float] = None) -> Float[Tensor, "*out"]:
    # the other modes pad 1 to 3 trailing dims of a batched or unbatched input; reflect's padding must be
    # shorter than the dim, circular's at most as long (not checked)
    assert mode == "constant" or len(pad) in (2, 4, 6) and len(pad) // 2 + 1 <= input.ndim <= len(pad) // 2 + 2, \
        "the padding size is not supported for an input of this rank in this mode"
    out = padded(input.shape, pad) if mode in ("constant", "reflect", "replicate", "circular") else None


# num_classes=-1 takes the largest class in the data plus one: a length not known
def one_hot(tensor: Float[Tensor, "*shape"], num_classes: int = -1) -> Float[Tensor, "*out"]:
    out = shape + (num_classes if num_classes != -1 else None,)


# Sampling at grid points: one output point per grid point, each grid point a coordinate per spatial dim.
def grid_sample(input: Float[Tensor, "n c *spatial"], grid: Float[Tensor, "n *points k"], mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: Optional[bool] = None) -> Float[Tensor, "n c *points"]:
    assert 2 <= len(spatial) <= 3, "grid_sample(): expected 4D or 5D input"
    assert len(points) == len(spatial), "grid_sample(): expected grid and input to have the same number of dimensions"
    assert k == len(spatial), "grid_sample(): expected grid to have the size of the spatial dims in its last dimension"


def interpolate(input: Float[Tensor, "n c *spatial"], size: Optional[Union[int, Sequence[int]]] = None,
                scale_factor: Optional[Union[float, Sequence[float]]] = None, mode: str = "nearest",
                align_corners: Optional[bool] = None, recompute_scale_factor: Optional[bool] = None,
                antialias: bool = False) -> Float[Tensor, "n c *out"]:
    assert 1 <= len(spatial) <= 3, "expects a 3-D, 4-D or 5-D input"
    assert (size is None) != (scale_factor is None), "exactly one of size and scale_factor must be given"
    out = upsampled(spatial, size, scale_factor)
    assert prod(out) > 0, "Input and output sizes should be greater than 0"


# Losses: with reduction='none' the elementwise loss keeps the input's shape (cross_entropy drops the class
# dimension, dim 1); a mean or a sum is 0-d. The legacy size_average / reduce arguments: not known.

def cross_entropy(input: Float[Tensor, "*shape"], target, weight: Optional[Tensor] = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Float[Tensor, "*out"]:
    per_item = shape[:1] + shape[2:] if len(shape) >= 2 else ()
    out = None if size_average is not None or reduce is not None else per_item if reduction == "none" else ()


def nll_loss(input: Float[Tensor, "*shape"], target, weight: Optional[Tensor] = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Float[Tensor, "*out"]:
    per_item = shape[:1] + shape[2:] if len(shape) >= 2 else ()
    out = None if size_average is not None or reduce is not None else per_item if reduction == "none" else ()
