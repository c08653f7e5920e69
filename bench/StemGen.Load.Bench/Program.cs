// Load bench for a running StemGen Studio on this machine (loopback only).
//
// Each simulated user: registers through the real form (or logs in when the name exists), fetches the
// API anti-forgery token, creates a project, uploads a short generated WAV, lists projects, opens the
// project over SignalR (/hubs/project, JoinProject) and HTTP, enqueues one generation job, then repeats
// list / open / join until the time is up. At the end every user cancels its job (the bench does not
// wait for generation) and closes its hub connection.
//
//   stemgen-load-bench [--url http://127.0.0.1:5000] [--users 50] [--seconds 60] [--ramp-seconds 5]
//                      [--think-ms 500] [--category Bass] [--preset fast] [--prefix load]
//
// Prints per operation: count, errors, p50 / p95 / max latency in ms; and the "progress" messages the
// hub delivered. Exit code 1 on any error, 2 on bad arguments or a non-loopback URL.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;

var options = LoadOptions.Parse(args);
if (options is null) return 2;
if (await Loopback.RefusalAsync(options.Url) is { } refusal)
{
    Console.Error.WriteLine(refusal);
    return 2;
}

Console.WriteLine($"StemGen load bench: {options.Users} users against {options.Url} for {options.Seconds} s " +
    $"(ramp {options.RampSeconds} s, think {options.ThinkMs} ms, job {options.Category}/{options.Preset})");

var stats = new Stats();
var wav = Wav.Sine(seconds: 2, sampleRate: 44100, frequency: 110);
var runId = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
var clock = Stopwatch.StartNew();
var end = TimeSpan.FromSeconds(options.Seconds);
// Hard stop: setup that hangs (a studio that stopped answering) may not keep the bench alive.
using var hardStop = new CancellationTokenSource(end + TimeSpan.FromSeconds(120));

var users = Enumerable.Range(0, options.Users).Select(i => new SimulatedUser(
    options, stats, wav, $"{options.Prefix}-{runId}-{i:D3}", clock, end,
    TimeSpan.FromSeconds(options.RampSeconds * i / Math.Max(1, options.Users)))).ToList();
await Task.WhenAll(users.Select(u => u.RunAsync(hardStop.Token)));
var elapsed = clock.Elapsed.TotalSeconds;

stats.Print(elapsed, users.Sum(u => u.ProgressMessages), users.Sum(u => u.ChangedMessages));
if (stats.TotalErrors > 0)
{
    Console.WriteLine($"FAILED: {stats.TotalErrors} errors (first ones above)");
    return 1;
}
Console.WriteLine("OK: 0 errors");
return 0;

sealed record LoadOptions(Uri Url, int Users, int Seconds, int RampSeconds, int ThinkMs, string Category, string Preset, string Prefix, string Password)
{
    public static LoadOptions? Parse(string[] args)
    {
        var url = "http://127.0.0.1:5000";
        int users = 50, seconds = 60, ramp = 5, think = 500;
        string category = "Bass", preset = "fast", prefix = "load", password = "LoadBench-pass1";
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--url": url = Next(); break;
                    case "--users": users = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--seconds": seconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--ramp-seconds": ramp = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--think-ms": think = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--category": category = Next(); break;
                    case "--preset": preset = Next(); break;
                    case "--prefix": prefix = Next(); break;
                    case "--password": password = Next(); break;
                    case "-h" or "--help":
                        Console.WriteLine("stemgen-load-bench [--url http://127.0.0.1:5000] [--users 50] [--seconds 60] [--ramp-seconds 5] [--think-ms 500] [--category Bass] [--preset fast] [--prefix load] [--password P]");
                        return null;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            if (users is < 1 or > 1000) throw new ArgumentException("--users must be 1 to 1000");
            if (seconds is < 1 or > 3600) throw new ArgumentException("--seconds must be 1 to 3600");
            if (ramp < 0 || think < 0) throw new ArgumentException("--ramp-seconds and --think-ms may not be negative");
            if (!Regex.IsMatch(prefix, "^[A-Za-z0-9._-]{1,40}$")) throw new ArgumentException("--prefix: letters, digits, '-', '.', '_' only");
            if (!Uri.TryCreate(url.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new ArgumentException($"--url {url}: not an http(s) URL");
            return new LoadOptions(uri, users, seconds, ramp, think, category, preset, prefix, password);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }
}

/// <summary>This machine may only send traffic to itself: 127.0.0.0/8 or ::1.</summary>
static class Loopback
{
    public static async Task<string?> RefusalAsync(Uri url)
    {
        const string Rule = "This bench only sends traffic to 127.0.0.0/8 or ::1 (e.g. --url http://127.0.0.1:5000).";
        IPAddress[] addresses;
        if (IPAddress.TryParse(url.Host.Trim('[', ']'), out var literal))
            return IPAddress.IsLoopback(literal) ? null : $"refused: {literal} is not a loopback address. {Rule}";
        if (url.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            try { addresses = await Dns.GetHostAddressesAsync(url.Host); }
            catch (SocketException e) { return $"refused: cannot resolve {url.Host} ({e.Message})"; }
        }
        else return $"refused: {url.Host} is not a loopback address. {Rule}";
        var outside = addresses.Where(a => !IPAddress.IsLoopback(a)).ToList();
        return addresses.Length == 0 || outside.Count > 0
            ? $"refused: {url.Host} resolves to {string.Join(", ", outside)}, not loopback. {Rule}"
            : null;
    }

    /// <summary>A second guard at the socket: every connection, whatever its URL, must land on a loopback address.</summary>
    public static SocketsHttpHandler Handler(CookieContainer cookies) => new()
    {
        CookieContainer = cookies,
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = IPAddress.TryParse(context.DnsEndPoint.Host.Trim('[', ']'), out var ip) ? [ip]
                : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            var target = addresses.FirstOrDefault(IPAddress.IsLoopback)
                ?? throw new HttpRequestException($"refused: {context.DnsEndPoint.Host} is not loopback");
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

sealed partial class SimulatedUser(LoadOptions options, Stats stats, byte[] wav, string userName, Stopwatch clock, TimeSpan end, TimeSpan startDelay)
{
    private readonly CookieContainer cookies = new();
    private HttpClient http = null!;
    private int progress, changed;

    public int ProgressMessages => Volatile.Read(ref progress);
    public int ChangedMessages => Volatile.Read(ref changed);

    public async Task RunAsync(CancellationToken hardStop)
    {
        using var handler = Loopback.Handler(cookies);
        using var client = new HttpClient(handler) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(60) };
        http = client;
        HubConnection? hub = null;
        int? jobId = null;
        int projectId = 0;
        try
        {
            await Task.Delay(startDelay, hardStop);
            await stats.Time("register", () => RegisterOrLoginAsync(hardStop));
            await stats.Time("antiforgery", () => FetchApiTokenAsync(hardStop));
            projectId = await stats.Time("create-project", () => CreateProjectAsync(hardStop));
            var stemId = await stats.Time("upload", () => UploadAsync(projectId, hardStop));
            await stats.Time("list", () => ListAsync(hardStop));

            hub = new HubConnectionBuilder()
                .WithUrl(new Uri(options.Url, "/hubs/project"), o =>
                {
                    o.Cookies = cookies;
                    o.HttpMessageHandlerFactory = _ => Loopback.Handler(cookies);
                })
                .Build();
            hub.On<JsonElement>("progress", _ => Interlocked.Increment(ref progress));
            hub.On<JsonElement>("changed", _ => Interlocked.Increment(ref changed));
            hub.Closed += e =>
            {
                if (e is not null) stats.Error("hub-closed", $"{userName}: {e.Message}");
                return Task.CompletedTask;
            };
            await stats.Time("hub-connect", () => hub.StartAsync(hardStop));
            await stats.Time("join", () => hub.InvokeAsync("JoinProject", projectId, hardStop));

            jobId = await stats.Time("enqueue", () => EnqueueAsync(projectId, stemId, hardStop));

            var random = new Random(userName.GetHashCode());
            while (clock.Elapsed < end && !hardStop.IsCancellationRequested)
            {
                await stats.Time("list", () => ListAsync(hardStop));
                await stats.Time("open", () => OpenAsync(projectId, hardStop));
                await stats.Time("join", () => hub.InvokeAsync("JoinProject", projectId, hardStop));
                var think = options.ThinkMs == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(options.ThinkMs * (0.5 + random.NextDouble()));
                var left = end - clock.Elapsed;
                if (left > TimeSpan.Zero) await Task.Delay(think < left ? think : left, hardStop);
            }
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
            stats.Error("hard-stop", $"{userName}: still running {end.TotalSeconds + 120:0} s after the start");
        }
        catch (Exception)
        {
            // Already counted by stats.Time; the user stops here.
        }
        finally
        {
            // The bench does not wait for generation: cancel what it started (409 = already finished, fine).
            if (jobId is { } id)
                try { await stats.Time("cancel", () => CancelAsync(projectId, id, CancellationToken.None)); } catch { }
            if (hub is not null) await hub.DisposeAsync();
        }
    }

    private async Task RegisterOrLoginAsync(CancellationToken ct)
    {
        var location = await PostFormAsync("/account/register", new()
        {
            ["userName"] = userName, ["password"] = options.Password, ["confirmPassword"] = options.Password,
        }, ct);
        if (location.StartsWith("/account/register?error=", StringComparison.Ordinal) && location.Contains("already", StringComparison.OrdinalIgnoreCase))
            location = await PostFormAsync("/account/login", new() { ["userName"] = userName, ["password"] = options.Password }, ct);
        if (location != "/projects") throw new InvalidOperationException($"register/login: redirected to {Uri.UnescapeDataString(location)}");
    }

    /// <summary>Reads the form page for its anti-forgery field, then posts the form like a browser; returns the redirect target.</summary>
    private async Task<string> PostFormAsync(string page, Dictionary<string, string> fields, CancellationToken ct)
    {
        var html = await http.GetStringAsync(page, ct);
        var token = TokenField().Match(html);
        if (!token.Success) throw new InvalidOperationException($"no anti-forgery field on {page}");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        using var response = await http.PostAsync(page, new FormUrlEncodedContent(fields), ct);
        if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther))
            throw new InvalidOperationException($"POST {page}: {(int)response.StatusCode}, expected a redirect");
        return response.Headers.Location?.OriginalString ?? "";
    }

    private async Task FetchApiTokenAsync(CancellationToken ct)
    {
        var token = await GetJsonAsync("/api/antiforgery", ct);
        http.DefaultRequestHeaders.Remove("RequestVerificationToken");
        http.DefaultRequestHeaders.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
    }

    private async Task<int> CreateProjectAsync(CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/api/projects", new { name = $"Load {userName}" }, ct);
        await Expect(response, HttpStatusCode.Created, ct);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt32();
    }

    private async Task<int> UploadAsync(int projectId, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(wav);
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("audio/wav");
        form.Add(part, "files", "bass-context.wav");
        using var response = await http.PostAsync($"/api/projects/{projectId}/stems", form, ct);
        await Expect(response, HttpStatusCode.OK, ct);
        var stems = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return stems[0].GetProperty("id").GetInt32();
    }

    private async Task ListAsync(CancellationToken ct)
    {
        var projects = await GetJsonAsync("/api/projects", ct);
        if (projects.GetArrayLength() < 1) throw new InvalidOperationException("GET /api/projects: the user's project is missing");
    }

    /// <summary>What the project page loads: the project, its stems and its jobs.</summary>
    private async Task OpenAsync(int projectId, CancellationToken ct)
    {
        await GetJsonAsync($"/api/projects/{projectId}", ct);
        var stems = await GetJsonAsync($"/api/projects/{projectId}/stems", ct);
        if (stems.GetArrayLength() < 1) throw new InvalidOperationException("the uploaded stem is missing");
        await GetJsonAsync($"/api/projects/{projectId}/jobs", ct);
    }

    private async Task<int> EnqueueAsync(int projectId, int stemId, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"/api/projects/{projectId}/jobs",
            new { contextStemIds = new[] { stemId }, category = options.Category, preset = options.Preset }, ct);
        await Expect(response, HttpStatusCode.Accepted, ct);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt32();
    }

    private async Task CancelAsync(int projectId, int jobId, CancellationToken ct)
    {
        using var response = await http.PostAsync($"/api/projects/{projectId}/jobs/{jobId}/cancel", null, ct);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.Conflict))
            await Expect(response, HttpStatusCode.Accepted, ct);
    }

    private async Task<JsonElement> GetJsonAsync(string url, CancellationToken ct)
    {
        using var response = await http.GetAsync(url, ct);
        await Expect(response, HttpStatusCode.OK, ct);
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode expected, CancellationToken ct)
    {
        if (response.StatusCode == expected) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: " +
            $"{(int)response.StatusCode}, expected {(int)expected}: {body[..Math.Min(body.Length, 200)]}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}

/// <summary>Latencies and errors per operation, from every user.</summary>
sealed class Stats
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> latencies = new();
    private readonly ConcurrentDictionary<string, int> errors = new();
    private readonly List<string> order = [];
    private int printedErrors;

    public int TotalErrors => errors.Values.Sum();

    public async Task Time(string operation, Func<Task> action) => await Time(operation, async () => { await action(); return 0; });

    public async Task<T> Time<T>(string operation, Func<Task<T>> action)
    {
        Register(operation);
        var watch = Stopwatch.StartNew();
        try
        {
            var result = await action();
            latencies[operation].Add(watch.Elapsed.TotalMilliseconds);
            return result;
        }
        catch (Exception e)
        {
            Error(operation, e.Message);
            throw;
        }
    }

    public void Error(string operation, string message)
    {
        Register(operation);
        errors.AddOrUpdate(operation, 1, (_, n) => n + 1);
        if (Interlocked.Increment(ref printedErrors) <= 10) Console.Error.WriteLine($"error in {operation}: {message}");
    }

    private void Register(string operation)
    {
        if (latencies.TryAdd(operation, [])) lock (order) order.Add(operation);
    }

    public void Print(double seconds, int progressMessages, int changedMessages)
    {
        Console.WriteLine();
        Console.WriteLine($"{"operation",-15} {"count",7} {"errors",7} {"p50 ms",9} {"p95 ms",9} {"max ms",9}");
        var total = 0;
        List<string> names;
        lock (order) names = [.. order];
        foreach (var name in names)
        {
            var sorted = latencies[name].Order().ToArray();
            total += sorted.Length;
            errors.TryGetValue(name, out var failed);
            Console.WriteLine($"{name,-15} {sorted.Length,7} {failed,7} {Ms(Percentile(sorted, 0.50)),9} {Ms(Percentile(sorted, 0.95)),9} {Ms(sorted.Length > 0 ? sorted[^1] : double.NaN),9}");
        }
        Console.WriteLine($"{total} operations in {seconds:F1} s ({total / seconds:F1}/s); hub messages: {progressMessages} progress, {changedMessages} changed");
    }

    private static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

static class Wav
{
    /// <summary>A 16-bit mono PCM WAV of a quiet sine: a valid, short bass context.</summary>
    public static byte[] Sine(int seconds, int sampleRate, double frequency)
    {
        var samples = seconds * sampleRate;
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write("RIFF"u8); w.Write(36 + samples * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(sampleRate); w.Write(sampleRate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(samples * 2);
        for (var i = 0; i < samples; i++) w.Write((short)(0.3 * short.MaxValue * Math.Sin(2 * Math.PI * frequency * i / sampleRate)));
        w.Flush();
        return stream.ToArray();
    }
}
