// Short-time Fourier transforms and windows (complex results; see UnaryOp for abs/real/imag).
#include "shim.h"

SG_API TH sg_hann_window(int64_t length, int periodic, int dtype, int dt, int di) {
  SG_TENSOR(at::hann_window(length, periodic != 0, sg_options(dtype, dt, di)))
}
// x: (L) or (B, L). Returns complex (F, frames) or (B, F, frames).
SG_API TH sg_stft(TH x, int64_t n_fft, int64_t hop, int64_t win_length, TH window, int center,
                  int reflect, int normalized, int onesided) {
  SG_TENSOR(at::stft(*x, n_fft, hop, win_length, sg_opt(window), center != 0,
                     reflect ? "reflect" : "constant", normalized != 0, onesided != 0, true))
}
// length < 0: let istft choose.
SG_API TH sg_istft(TH spec, int64_t n_fft, int64_t hop, int64_t win_length, TH window, int center,
                   int normalized, int onesided, int64_t length) {
  SG_TENSOR(at::istft(*spec, n_fft, hop, win_length, sg_opt(window), center != 0, normalized != 0,
                      onesided != 0, length < 0 ? c10::nullopt : c10::optional<int64_t>(length), false))
}
SG_API TH sg_polar(TH abs, TH angle) { SG_TENSOR(at::polar(*abs, *angle)) }
