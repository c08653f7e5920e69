// Shared conventions of the shim (src/StemGen.Torch/README.md, "The native binding"):
// - every entry point is extern "C" and catches every exception; the message is kept in a
//   thread-local slot that sg_last_error() returns, and the entry returns a sentinel
//   (nullptr for handles, -1 for status/counts, NaN where a double is returned);
// - tensors cross the boundary as opaque heap-allocated at::Tensor handles; every returned
//   handle is new and owned by the caller (freed with sg_tensor_free); inputs are borrowed.
#pragma once
#include <torch/torch.h>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#define SG_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* TH;

void sg_set_error(int kind, const char* message);

// Error kinds, mirrored by StemGen.Torch.TorchErrorKind.
enum SgErrorKind { SG_ERR_GENERIC = 1, SG_ERR_INDEX = 2, SG_ERR_VALUE = 3, SG_ERR_TYPE = 4,
                   SG_ERR_NOT_IMPLEMENTED = 5, SG_ERR_OUT_OF_MEMORY = 6 };

#define SG_CATCH                                                                              \
  catch (const c10::IndexError& e) { sg_set_error(SG_ERR_INDEX, e.what_without_backtrace()); } \
  catch (const c10::ValueError& e) { sg_set_error(SG_ERR_VALUE, e.what_without_backtrace()); } \
  catch (const c10::TypeError& e) { sg_set_error(SG_ERR_TYPE, e.what_without_backtrace()); }   \
  catch (const c10::NotImplementedError& e) {                                                  \
    sg_set_error(SG_ERR_NOT_IMPLEMENTED, e.what_without_backtrace()); }                        \
  catch (const c10::Error& e) {                                                                \
    const std::string m = e.what_without_backtrace();                                          \
    sg_set_error(m.find("out of memory") != std::string::npos ? SG_ERR_OUT_OF_MEMORY          \
                                                               : SG_ERR_GENERIC, m.c_str()); } \
  catch (const std::bad_alloc&) { sg_set_error(SG_ERR_OUT_OF_MEMORY, "out of memory"); }       \
  catch (const std::exception& e) { sg_set_error(SG_ERR_GENERIC, e.what()); }                  \
  catch (...) { sg_set_error(SG_ERR_GENERIC, "unknown native exception"); }

// Entry returning a new tensor handle (nullptr on error).
#define SG_TENSOR(expr) try { return new at::Tensor(expr); } SG_CATCH return nullptr;
// Entry returning 0 on success, -1 on error.
#define SG_STATUS(body) try { body; return 0; } SG_CATCH return -1;
// Entry returning a value, with the given sentinel on error.
#define SG_VALUE(expr, sentinel) try { return (expr); } SG_CATCH return (sentinel);

inline at::IntArrayRef sg_dims(const int64_t* dims, int64_t n) { return at::IntArrayRef(dims, (size_t)n); }

inline at::TensorOptions sg_options(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<at::DeviceType>(device_type),
                         static_cast<c10::DeviceIndex>(device_index)));
}

// Optional tensor argument: a null handle means "none".
inline c10::optional<at::Tensor> sg_opt(TH t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}
inline at::Tensor sg_or_undefined(TH t) { return t ? *t : at::Tensor(); }

inline std::vector<at::Tensor> sg_list(const TH* items, int64_t n) {
  std::vector<at::Tensor> v;
  v.reserve((size_t)n);
  for (int64_t i = 0; i < n; ++i) v.push_back(*items[i]);
  return v;
}

// Writes tensors to a caller-provided array of capacity `cap`; returns the count, or throws.
inline int64_t sg_write_list(const std::vector<at::Tensor>& ts, TH* out, int64_t cap) {
  if ((int64_t)ts.size() > cap)
    throw std::runtime_error("result has " + std::to_string(ts.size()) +
                             " tensors but the caller provided room for " + std::to_string(cap));
  for (size_t i = 0; i < ts.size(); ++i) out[i] = new at::Tensor(ts[i]);
  return (int64_t)ts.size();
}

// Generators are opaque handles too; null means the default generator.
typedef at::Generator* GH;
inline c10::optional<at::Generator> sg_gen(GH g) {
  return g ? c10::optional<at::Generator>(*g) : c10::nullopt;
}

// ---- vision.cpp: 2-d convolution and pooling over (B, C, H, W) ----
SG_API TH sg_conv2d(TH x, TH w, TH b, int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w,
                    int64_t dil_h, int64_t dil_w, int64_t groups);
SG_API TH sg_max_pool2d(TH x, int64_t kernel_h, int64_t kernel_w, int64_t stride_h, int64_t stride_w,
                        int64_t pad_h, int64_t pad_w, int ceil_mode);
