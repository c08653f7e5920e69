using System.Runtime.InteropServices;

namespace StemGen.Audio.Native;

/// <summary>
/// One open libsndfile handle over a .NET <see cref="Stream"/> (sf_open_virtual): the same code
/// reads files, uploads held in memory and temp files being written. Exceptions thrown by the
/// stream inside a callback cannot cross into C; they are kept and rethrown after the call.
/// </summary>
internal sealed unsafe class SndFile : IDisposable
{
    private readonly Stream stream;
    private readonly bool ownsStream;
    private GCHandle self;
    private SfVirtualIo* io;
    private IntPtr file;
    private Exception? callbackError;

    private SndFile(Stream stream, bool ownsStream)
    {
        this.stream = stream;
        this.ownsStream = ownsStream;
        self = GCHandle.Alloc(this);
        io = (SfVirtualIo*)NativeMemory.Alloc((nuint)sizeof(SfVirtualIo));
        io->GetFileLength = &GetFileLength;
        io->Seek = &Seek;
        io->Read = &Read;
        io->Write = &Write;
        io->Tell = &Tell;
    }

    public SfInfo Info;

    /// <summary>
    /// Opens for reading or writing. On failure returns null and the libsndfile error code and text
    /// (or rethrows the stream's own exception); the stream is disposed if it was ours.
    /// </summary>
    public static SndFile? Open(Stream stream, bool ownsStream, int mode, SfInfo info, out int errorCode, out string errorText)
    {
        var sf = new SndFile(stream, ownsStream);
        var opened = IntPtr.Zero;
        try
        {
            opened = LibSndFile.sf_open_virtual(sf.io, mode, &info, GCHandle.ToIntPtr(sf.self));
            sf.ThrowIfCallbackFailed();
        }
        catch
        {
            if (opened != IntPtr.Zero) _ = LibSndFile.sf_close(opened); // already failing: a close error would hide the first one
            sf.Dispose();
            throw;
        }
        if (opened == IntPtr.Zero)
        {
            errorCode = LibSndFile.sf_error(IntPtr.Zero);
            errorText = LibSndFile.ErrorText(IntPtr.Zero);
            sf.Dispose();
            return null;
        }
        sf.file = opened;
        sf.Info = info;
        errorCode = 0;
        errorText = "";
        return sf;
    }

    public int ErrorCode => LibSndFile.sf_error(file);

    /// <summary>True when the decoder has consumed the whole stream (tells a cut-off file from damage in the middle).</summary>
    public bool AtEndOfStream
    {
        get
        {
            try { return stream.Position >= stream.Length; }
            catch (IOException) { return false; }
        }
    }

    public string ErrorText => LibSndFile.ErrorText(file);

    /// <summary>Reads up to <paramref name="frames"/> interleaved frames; fewer means the end (or an error: check ErrorCode).</summary>
    public long ReadFrames(float* interleaved, long frames)
    {
        var read = LibSndFile.sf_readf_float(file, interleaved, frames);
        ThrowIfCallbackFailed();
        return read;
    }

    public long WriteFrames(int* interleaved, long frames)
    {
        var written = LibSndFile.sf_writef_int(file, interleaved, frames);
        ThrowIfCallbackFailed();
        return written;
    }

    public long WriteFrames(float* interleaved, long frames)
    {
        var written = LibSndFile.sf_writef_float(file, interleaved, frames);
        ThrowIfCallbackFailed();
        return written;
    }

    public int Command(int command, void* data, int size) => LibSndFile.sf_command(file, command, data, size);

    /// <summary>libsndfile's parse log: the detail behind a "malformed file" error.</summary>
    public string LogInfo()
    {
        const int size = 4096;
        var buffer = stackalloc byte[size];
        var length = LibSndFile.sf_command(file, LibSndFile.CmdGetLogInfo, buffer, size);
        return length <= 0 ? "" : Marshal.PtrToStringUTF8((IntPtr)buffer, Math.Min(length, size)) ?? "";
    }

    /// <summary>Closes the native handle (a writer flushes its header here); returns libsndfile's result.</summary>
    public int Close()
    {
        if (file == IntPtr.Zero) return 0;
        var result = LibSndFile.sf_close(file);
        file = IntPtr.Zero;
        ThrowIfCallbackFailed();
        return result;
    }

    public void Dispose()
    {
        try { Close(); }
        catch (IOException) { } // already closing because of an earlier failure: that one is reported
        catch (ObjectDisposedException) { }
        finally
        {
            if (self.IsAllocated) self.Free();
            if (io != null) { NativeMemory.Free(io); io = null; }
            if (ownsStream) stream.Dispose();
        }
    }

    private void ThrowIfCallbackFailed()
    {
        if (callbackError is { } error)
        {
            callbackError = null;
            throw new IOException($"I/O failed while libsndfile was using the stream: {error.Message}", error);
        }
    }

    private static SndFile Of(IntPtr user) => (SndFile)GCHandle.FromIntPtr(user).Target!;

    // The callbacks report failure the way libsndfile expects of read(2)/lseek(2): -1 (or 0 bytes).
    [UnmanagedCallersOnly]
    private static long GetFileLength(IntPtr user)
    {
        var sf = Of(user);
        try { return sf.stream.Length; }
        catch (Exception e) { sf.callbackError ??= e; return -1; }
    }

    [UnmanagedCallersOnly]
    private static long Seek(long offset, int whence, IntPtr user)
    {
        var sf = Of(user);
        try
        {
            var origin = whence switch { 0 => SeekOrigin.Begin, 1 => SeekOrigin.Current, 2 => SeekOrigin.End, _ => (SeekOrigin)(-1) };
            if (origin is < SeekOrigin.Begin or > SeekOrigin.End) return -1;
            var target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => sf.stream.Position + offset,
                _ => sf.stream.Length + offset,
            };
            if (target < 0) return -1; // a corrupt header can ask for this; lseek(2) would fail too
            sf.stream.Position = target;
            return target;
        }
        catch (Exception e) { sf.callbackError ??= e; return -1; }
    }

    [UnmanagedCallersOnly]
    private static long Read(void* buffer, long count, IntPtr user)
    {
        var sf = Of(user);
        try
        {
            long total = 0;
            while (total < count)
            {
                var chunk = (int)Math.Min(count - total, 1 << 30);
                var n = sf.stream.Read(new Span<byte>((byte*)buffer + total, chunk));
                if (n == 0) break;
                total += n;
            }
            return total;
        }
        catch (Exception e) { sf.callbackError ??= e; return 0; }
    }

    [UnmanagedCallersOnly]
    private static long Write(void* buffer, long count, IntPtr user)
    {
        var sf = Of(user);
        try
        {
            long total = 0;
            while (total < count)
            {
                var chunk = (int)Math.Min(count - total, 1 << 30);
                sf.stream.Write(new ReadOnlySpan<byte>((byte*)buffer + total, chunk));
                total += chunk;
            }
            return total;
        }
        catch (Exception e) { sf.callbackError ??= e; return 0; }
    }

    [UnmanagedCallersOnly]
    private static long Tell(IntPtr user)
    {
        var sf = Of(user);
        try { return sf.stream.Position; }
        catch (Exception e) { sf.callbackError ??= e; return -1; }
    }
}
