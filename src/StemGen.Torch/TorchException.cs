namespace StemGen.Torch;

/// <summary>What kind of libtorch error occurred (c10 error classes).</summary>
public enum TorchErrorKind
{
    Generic = 1,
    Index = 2,
    Value = 3,
    Type = 4,
    NotImplemented = 5,
    OutOfMemory = 6,
}

/// <summary>An error raised inside libtorch, carrying libtorch's own message.</summary>
public sealed class TorchException(TorchErrorKind kind, string message) : Exception(message)
{
    public TorchErrorKind Kind { get; } = kind;

    /// <summary>The error the shim recorded for this thread by the call that just failed.</summary>
    internal static TorchException FromNative()
    {
        var kind = (TorchErrorKind)Interop.Native.sg_last_error_kind();
        var message = Interop.Native.Text(Interop.Native.sg_last_error());
        return new TorchException(Enum.IsDefined(kind) ? kind : TorchErrorKind.Generic,
            string.IsNullOrEmpty(message) ? "libtorch call failed without a message" : message);
    }
}
