// 2-d convolution and pooling over (B, C, H, W) images (the VGGish audio embedding needs them).
#include "shim.h"

SG_API TH sg_conv2d(TH x, TH w, TH b, int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w,
                    int64_t dil_h, int64_t dil_w, int64_t groups) {
  SG_TENSOR(at::conv2d(*x, *w, sg_opt(b), {stride_h, stride_w}, {pad_h, pad_w}, {dil_h, dil_w}, groups))
}
SG_API TH sg_max_pool2d(TH x, int64_t kernel_h, int64_t kernel_w, int64_t stride_h, int64_t stride_w,
                        int64_t pad_h, int64_t pad_w, int ceil_mode) {
  SG_TENSOR(at::max_pool2d(*x, {kernel_h, kernel_w}, {stride_h, stride_w}, {pad_h, pad_w}, {1, 1}, ceil_mode != 0))
}
