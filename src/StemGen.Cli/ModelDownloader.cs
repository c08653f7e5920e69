using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace StemGen.Cli;

/// <summary>A download that failed in a way the user can act on (network, server, checksum).</summary>
internal sealed class ModelDownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Bytes of one file so far: <see cref="Total"/> when the server said it, the rate since the transfer began.</summary>
internal sealed record DownloadProgress(string File, long Bytes, long? Total, double BytesPerSecond);

/// <summary>What was downloaded and what its bytes were checked against (null: nothing to check against).</summary>
internal sealed record DownloadResult(string Path, long Bytes, string Sha256, string? VerifiedAgainst, bool Resumed);

/// <summary>
/// Downloads one file over HTTP into <c>{destination}.part</c>, resuming a partial one with a Range
/// request, then checks its SHA-256 and only then renames it to <c>destination</c>. Redirects are
/// followed here rather than by HttpClient so that the hub's X-Linked-Etag (the LFS file's
/// SHA-256, sent on the redirect to the CDN) is not lost.
/// </summary>
internal sealed class ModelDownloader(HttpClient http, TimeSpan progressInterval, TimeSpan readTimeout)
{
    private const int MaxRedirects = 10;

    /// <summary>A client that does not follow redirects itself and gives up on a silent server.</summary>
    public static HttpClient CreateClient(TimeSpan connectTimeout, TimeSpan headersTimeout)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = connectTimeout, AutomaticDecompression = DecompressionMethods.None };
        var client = new HttpClient(handler) { Timeout = headersTimeout };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("stemgen/1.0");
        return client;
    }

    /// <param name="sha256">The file's known SHA-256 (hex), or null to use the one the server sends, if any.</param>
    public async Task<DownloadResult> DownloadAsync(Uri url, string destination, string? sha256, IProgress<DownloadProgress>? progress,
                                                    Action<string>? log, CancellationToken cancellationToken)
    {
        var part = destination + ".part";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var fileName = Path.GetFileName(destination);
        for (var attempt = 0; ; attempt++)
        {
            var existing = File.Exists(part) ? new FileInfo(part).Length : 0;
            var (response, hubSha256) = await SendAsync(url, destination, existing > 0 ? existing : null, cancellationToken);
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0 && attempt == 0)
                {
                    log?.Invoke($"{fileName}: the server refused to resume at byte {existing}; starting again");
                    File.Delete(part);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    throw new ModelDownloadException($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}. " + ByHand(url, destination));

                var resumed = false;
                long? total = response.Content.Headers.ContentLength;
                if (existing > 0 && response.StatusCode == HttpStatusCode.PartialContent)
                {
                    var range = response.Content.Headers.ContentRange;
                    if (range?.From != existing)
                    {
                        if (attempt > 0) throw new ModelDownloadException($"GET {url}: the server sent bytes from {range?.From} when asked for {existing}. " + ByHand(url, destination));
                        log?.Invoke($"{fileName}: the server answered the resume request with other bytes; starting again");
                        File.Delete(part);
                        continue;
                    }
                    total = range.Length;
                    resumed = true;
                    log?.Invoke($"{fileName}: resuming at byte {existing}");
                }
                else if (existing > 0)
                    log?.Invoke($"{fileName}: the server does not resume downloads ({(int)response.StatusCode} to a Range request); starting again from byte 0");

                await ReceiveAsync(response, url, destination, part, resumed ? existing : 0, total, progress, cancellationToken);
                return await FinishAsync(url, destination, part, sha256, hubSha256, resumed, cancellationToken);
            }
        }
    }

    /// <summary>GET with redirects followed by hand; returns the final response and the first SHA-256 any hop announced.</summary>
    private async Task<(HttpResponseMessage Response, string? Sha256)> SendAsync(Uri url, string destination, long? from, CancellationToken cancellationToken)
    {
        string? announced = null;
        var current = url;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            if (from is { } start) request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(start, null);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new ModelDownloadException($"could not download {current}: {Describe(e, current)}. " + ByHand(url, destination), e);
            }
            announced ??= Sha256Header(response, "X-Linked-Etag") ?? Sha256Header(response, "ETag");
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                current = new Uri(current, location);
                continue;
            }
            return (response, announced);
        }
        throw new ModelDownloadException($"GET {url}: more than {MaxRedirects} redirects. " + ByHand(url, destination));
    }

    private async Task ReceiveAsync(HttpResponseMessage response, Uri url, string destination, string part, long start, long? total,
                                    IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(destination);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var bytes = start;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        void Report() => progress?.Report(new DownloadProgress(name, bytes, total, (bytes - start) / Math.Max(clock.Elapsed.TotalSeconds, 1e-3)));
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var file = new FileStream(part, start > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            while (true)
            {
                idle.CancelAfter(readTimeout);
                var read = await body.ReadAsync(buffer, idle.Token);
                if (read == 0) break;
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                bytes += read;
                if (clock.Elapsed - lastReport >= progressInterval)
                {
                    lastReport = clock.Elapsed;
                    Report();
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var why = e is OperationCanceledException ? $"no data for {readTimeout.TotalSeconds:0} s" : e.Message;
            throw new ModelDownloadException($"download of {url} stopped after {bytes} bytes ({why}); {part} is kept: run the same command again to resume. " +
                                             ByHand(url, destination), e);
        }
        Report();
        if (total is { } expected && bytes != expected)
            throw new ModelDownloadException($"download of {url} ended after {bytes} of {expected} bytes; {part} is kept: run the same command again to resume");
    }

    private static async Task<DownloadResult> FinishAsync(Uri url, string destination, string part, string? known, string? announced,
                                                          bool resumed, CancellationToken cancellationToken)
    {
        string actual;
        await using (var stream = File.OpenRead(part))
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        var (expected, source) = known is not null ? (known.ToLowerInvariant(), "the catalogue's SHA-256")
            : announced is not null ? (announced, "the SHA-256 the server announced") : (null, null);
        if (expected is not null && actual != expected)
        {
            File.Delete(part);
            throw new ModelDownloadException($"checksum mismatch for {url}: got SHA-256 {actual}, expected {expected} ({source}); " +
                                             $"the download was deleted, nothing was written to {destination}");
        }
        var length = new FileInfo(part).Length;
        File.Move(part, destination, overwrite: true);
        return new DownloadResult(destination, length, actual, source, resumed);
    }

    /// <summary>The header's value when it is a 64-hex SHA-256 (quotes and a weak W/ prefix removed), else null.</summary>
    private static string? Sha256Header(HttpResponseMessage response, string header)
    {
        if (!response.Headers.TryGetValues(header, out var values)) return null;
        var value = values.First().Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        value = value.Trim('"');
        return value.Length == 64 && value.All(char.IsAsciiHexDigit) ? value.ToLowerInvariant() : null;
    }

    private static string Describe(Exception e, Uri url)
    {
        var socket = e.InnerException as SocketException ?? e.InnerException?.InnerException as SocketException;
        return (e, socket?.SocketErrorCode) switch
        {
            (_, SocketError.ConnectionRefused) => $"connection refused by {url.Authority} (nothing listens there)",
            (_, SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData) => $"cannot resolve host {url.Host} (offline, or no DNS)",
            (_, SocketError.NetworkUnreachable or SocketError.HostUnreachable) => $"network unreachable for {url.Host} (offline?)",
            (TaskCanceledException, _) => $"timed out waiting for {url.Authority}",
            (HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }, _) => $"cannot resolve host {url.Host} (offline, or no DNS)",
            _ => e.InnerException?.Message ?? e.Message,
        };
    }

    private static string ByHand(Uri url, string destination) =>
        $"To get the file by hand, download {url} on a machine with internet and save it as {Path.GetFullPath(destination)}";
}
