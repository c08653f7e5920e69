namespace StemGen.Torch;

/// <summary>Op codes of sg_unary (native/src/math.cpp).</summary>
internal enum UnaryOp
{
    Neg, Abs, Sqrt, Rsqrt, Exp, Log, Sin, Cos, Tanh, Sigmoid, Relu, Silu, Gelu, LogicalNot, Sign,
    Floor, Ceil, Round, Square, Reciprocal, IsNaN, IsInf, IsFinite, Log1p, Expm1, Log2, Log10,
    Real, Imag, Angle, ViewAsReal, ViewAsComplex, GeluTanh, Atan,
}

/// <summary>Op codes of sg_binary (native/src/math.cpp).</summary>
internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Eq, Ne, Lt, Le, Gt, Ge, Maximum, Minimum, LogicalAnd, LogicalOr,
    LogicalXor, Remainder, FloorDivide, Atan2,
}

/// <summary>How <see cref="Tensor.Pad"/> fills the new border.</summary>
public enum PadMode
{
    Constant = 0,
    Reflect = 1,
    Replicate = 2,
    Circular = 3,
}

/// <summary>How a loss reduces over elements; values equal at::Reduction.</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}
