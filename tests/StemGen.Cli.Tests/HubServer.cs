using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace StemGen.Cli.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 that serves files the way the Hugging Face hub does: the
/// SHA-256 of each file in its ETag (or, with <see cref="RedirectLikeHub"/>, a 302 to a "CDN" path
/// carrying it in X-Linked-Etag), byte ranges answered with 206 unless <see cref="SupportsRange"/> is off.
/// </summary>
internal sealed class HubServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stop = new();

    public HubServer()
    {
        BaseUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        listener.Prefixes.Add(BaseUrl.ToString());
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public Uri BaseUrl { get; }

    /// <summary>Files by URL path (no leading slash).</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new();

    /// <summary>The ETag sent for a file; default: its real SHA-256, quoted.</summary>
    public Func<byte[], string?> ETag { get; set; } = bytes => $"\"{Sha256(bytes)}\"";

    public bool SupportsRange { get; set; } = true;
    public bool RedirectLikeHub { get; set; }

    /// <summary>Bytes per write and the pause after each, to make a download last a while.</summary>
    public int ChunkBytes { get; set; } = 1 << 16;
    public TimeSpan ChunkDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Every request: "path" or "path Range: bytes=N-".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A port nothing listens on (bound then released).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.Url!.AbsolutePath.TrimStart('/');
            var range = context.Request.Headers["Range"];
            Requests.Enqueue(range is null ? path : $"{path} Range: {range}");
            var fromCdn = path.StartsWith("cdn/", StringComparison.Ordinal);
            if (!Files.TryGetValue(fromCdn ? path[4..] : path, out var bytes))
            {
                response.StatusCode = 404;
                return;
            }
            if (RedirectLikeHub && !fromCdn)
            {
                // The hub: 302 to the CDN, the LFS SHA-256 in X-Linked-Etag, the git blob id in ETag.
                response.StatusCode = 302;
                response.AddHeader("Location", "/cdn/" + path);
                if (ETag(bytes) is { } linked) response.AddHeader("X-Linked-Etag", linked);
                response.AddHeader("ETag", $"\"{Convert.ToHexStringLower(SHA1.HashData(bytes))}\"");
                return;
            }
            long from = 0;
            if (SupportsRange && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
                from = long.Parse(range[6..^1]);
            if (from >= bytes.Length && from > 0)
            {
                response.StatusCode = 416;
                return;
            }
            if (from > 0)
            {
                response.StatusCode = 206;
                response.AddHeader("Content-Range", $"bytes {from}-{bytes.Length - 1}/{bytes.Length}");
            }
            if (!fromCdn && ETag(bytes) is { } etag) response.AddHeader("ETag", etag);
            response.ContentLength64 = bytes.Length - from;
            for (var at = from; at < bytes.Length; at += ChunkBytes)
            {
                await response.OutputStream.WriteAsync(bytes.AsMemory((int)at, (int)Math.Min(ChunkBytes, bytes.Length - at)));
                if (ChunkDelay > TimeSpan.Zero) await Task.Delay(ChunkDelay);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
        }
        catch (HttpListenerException)
        {
            // The client went away.
        }
        finally
        {
            try { response.Close(); } catch (Exception) { /* already closed by a client that went away */ }
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Close();
        stop.Dispose();
    }
}
