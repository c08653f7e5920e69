// Abuse bench for a running StemGen Studio on this machine (loopback only): not a test, a measurement.
//
//  1. 200 registrations through the real form, from 20 client addresses (X-Forwarded-For, which the studio believes
//     from loopback), 10 each, 20 at a time. The first success per address becomes a scripted account.
//  2. Each scripted account (20 at most) creates a project and uploads a 2 s WAV; so does one well-behaved user ("calm",
//     from her own address).
//  3. 2,000 job requests: every scripted account sends its share as fast as it can (20 at a time in all). Meanwhile the
//     calm user opens her project page every 250 ms, and 1 s into the burst asks for one job and waits until it starts.
//  4. Every job left is cancelled.
//
// Figures: answers by status (429s with and without Retry-After; anything but the expected answers is an error), p50 /
// p95 / max of the calm user's page opens, and the time from her request to her job's start. Exit 1 on any error.
//
//   stemgen-abuse-bench [--url http://127.0.0.1:5000] [--registrations 200] [--addresses 20] [--jobs 2000] [--timeout-seconds 600]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

var url = new Uri("http://127.0.0.1:5000");
int registrations = 200, addresses = 20, jobs = 2000, timeoutSeconds = 600;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--url": url = new Uri(Next().TrimEnd('/')); break;
        case "--registrations": registrations = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--addresses": addresses = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--jobs": jobs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--timeout-seconds": timeoutSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
if (!IPAddress.TryParse(url.Host.Trim('[', ']'), out var host) || !IPAddress.IsLoopback(host))
{
    Console.Error.WriteLine($"refused: {url.Host} is not a loopback address (e.g. --url http://127.0.0.1:5000)");
    return 2;
}
using var hardStop = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
var ct = hardStop.Token;
var tally = new ConcurrentDictionary<string, int>();
var errors = new ConcurrentQueue<string>();
void Count(string what) => tally.AddOrUpdate(what, 1, (_, n) => n + 1);
void Error(string what) { Count("error"); if (errors.Count < 10) errors.Enqueue(what); }
var wav = Sine(2, 44100, 110);
var run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
var clock = Stopwatch.StartNew();

// 1. Registrations.
var accounts = new ConcurrentDictionary<int, Client>();
using (var gate = new SemaphoreSlim(20))
{
    await Task.WhenAll(Enumerable.Range(0, registrations).Select(async n =>
    {
        var address = n % addresses;
        await gate.WaitAsync(ct);
        try
        {
            var client = new Client(url, $"10.9.0.{address + 1}");
            var answer = await client.RegisterAsync($"abuse-{run}-{n:D3}", ct);
            if (answer.Status == HttpStatusCode.Redirect && answer.Location == "/projects") { Count("register: created"); accounts.TryAdd(address, client); }
            else if (answer.Status == HttpStatusCode.TooManyRequests) Count(answer.RetryAfter ? "register: 429 with Retry-After" : "register: 429 WITHOUT Retry-After");
            else Error($"register {n}: {(int)answer.Status} {answer.Location}");
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException) { Error($"register {n}: {e.Message}"); }
        finally { gate.Release(); }
    }));
}
var registerSeconds = clock.Elapsed.TotalSeconds;

// 2. Projects with one stem each.
var calm = new Client(url, "10.9.1.1");
var calmAnswer = await calm.RegisterAsync($"calm-{run}", ct);
if (calmAnswer.Location != "/projects") { Console.Error.WriteLine($"the well-behaved user could not register: {(int)calmAnswer.Status} {calmAnswer.Location}"); return 1; }
var hogs = accounts.Values.ToList();
var projects = new Dictionary<Client, (int Project, int Stem)>();
foreach (var client in hogs.Append(calm)) projects[client] = await client.ProjectWithStemAsync(wav, ct);

// 3. The burst, and the calm user beside it.
var pageMs = new ConcurrentBag<double>();
var burstClock = Stopwatch.StartNew();
double? calmStartSeconds = null;
var calmJobs = Task.Run(async () =>
{
    await Task.Delay(1000, ct);
    var (project, stem) = projects[calm];
    var asked = Stopwatch.StartNew();
    using var response = await calm.GenerateAsync(project, stem, ct);
    if (response.StatusCode != HttpStatusCode.Accepted) { Error($"calm job: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}"); return; }
    var id = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt32();
    while (!ct.IsCancellationRequested)
    {
        var job = await calm.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/jobs/{id}", ct);
        if (job.GetProperty("state").GetString() is not "Queued") { calmStartSeconds = asked.Elapsed.TotalSeconds; return; }
        await Task.Delay(100, ct);
    }
}, ct);
using var pagesStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
var pages = Task.Run(async () =>
{
    while (!pagesStop.IsCancellationRequested)
    {
        var opened = Stopwatch.StartNew();
        try
        {
            using var page = await calm.Http.GetAsync($"/projects/{projects[calm].Project}", pagesStop.Token);
            if (page.StatusCode == HttpStatusCode.OK) pageMs.Add(opened.Elapsed.TotalMilliseconds); else Error($"project page: {(int)page.StatusCode}");
        }
        catch (OperationCanceledException) { return; }
        try { await Task.Delay(250, pagesStop.Token); } catch (OperationCanceledException) { return; }
    }
});
using (var gate = new SemaphoreSlim(20))
{
    await Task.WhenAll(Enumerable.Range(0, jobs).Select(async n =>
    {
        var client = hogs[n % hogs.Count];
        await gate.WaitAsync(ct);
        try
        {
            var (project, stem) = projects[client];
            using var response = await client.GenerateAsync(project, stem, ct);
            if (response.StatusCode == HttpStatusCode.Accepted) Count("job: accepted");
            else if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                var kind = body.Contains("queued or running", StringComparison.Ordinal) ? "quota" : "rate limit";
                Count(response.Headers.RetryAfter is not null ? $"job: 429 ({kind}) with Retry-After" : $"job: 429 ({kind}) WITHOUT Retry-After");
            }
            else Error($"job {n}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
        catch (HttpRequestException e) { Error($"job {n}: {e.Message}"); }
        finally { gate.Release(); }
    }));
}
var burstSeconds = burstClock.Elapsed.TotalSeconds;
await calmJobs;
await pagesStop.CancelAsync();
await pages;

// 4. Cleanup: cancel what is left.
foreach (var (client, (project, _)) in projects)
{
    var list = await client.Http.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/jobs", ct);
    foreach (var job in list.EnumerateArray().Where(j => j.GetProperty("state").GetString() is "Queued" or "Running"))
        using (await client.Http.PostAsync($"/api/projects/{project}/jobs/{job.GetProperty("id").GetInt32()}/cancel", null, ct)) { }
}

double Percentile(IReadOnlyList<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
var opens = pageMs.OrderBy(x => x).ToList();
Console.WriteLine($"registrations: {registrations} from {addresses} addresses in {registerSeconds:0.0} s; scripted accounts: {hogs.Count}");
Console.WriteLine($"job requests: {jobs} from {hogs.Count} accounts in {burstSeconds:0.0} s");
foreach (var (what, n) in tally.OrderBy(t => t.Key)) Console.WriteLine($"  {what}: {n}");
Console.WriteLine($"calm user's project page: {opens.Count} opens, p50 {Percentile(opens, 0.5):0} ms, p95 {Percentile(opens, 0.95):0} ms, max {(opens.Count > 0 ? opens[^1] : double.NaN):0} ms");
Console.WriteLine(calmStartSeconds is { } s ? $"calm user's first job started {s:0.0} s after she asked" : "calm user's first job did not start before the time-out");
foreach (var e in errors) Console.WriteLine($"  error: {e}");
return tally.ContainsKey("error") || tally.Keys.Any(k => k.Contains("WITHOUT")) || calmStartSeconds is null ? 1 : 0;

static byte[] Sine(int seconds, int sampleRate, double frequency)
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

/// <summary>One browser: its cookies, its client address (X-Forwarded-For), its anti-forgery header once signed in.</summary>
sealed partial class Client
{
    public HttpClient Http { get; }
    private const string Password = "AbuseBench-pass1";

    public Client(Uri url, string address)
    {
        Http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("X-Forwarded-For", address);
    }

    public sealed record Answer(HttpStatusCode Status, string Location, bool RetryAfter);

    public async Task<Answer> RegisterAsync(string userName, CancellationToken ct)
    {
        var html = await Http.GetStringAsync("/account/register", ct);
        var token = TokenField().Match(html);
        if (!token.Success) throw new InvalidOperationException("no anti-forgery field on /account/register");
        using var response = await Http.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = userName, ["password"] = Password, ["confirmPassword"] = Password,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        }), ct);
        var location = response.Headers.Location?.OriginalString ?? "";
        if (location == "/projects")
        {
            var api = await Http.GetFromJsonAsync<JsonElement>("/api/antiforgery", ct);
            Http.DefaultRequestHeaders.Add(api.GetProperty("headerName").GetString()!, api.GetProperty("token").GetString());
        }
        return new Answer(response.StatusCode, location, response.Headers.RetryAfter is not null);
    }

    public async Task<(int Project, int Stem)> ProjectWithStemAsync(byte[] wav, CancellationToken ct)
    {
        using var created = await Http.PostAsJsonAsync("/api/projects", new { name = "Abuse bench" }, ct);
        created.EnsureSuccessStatusCode();
        var project = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt32();
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(wav);
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("audio/wav");
        form.Add(part, "files", "bass.wav");
        using var uploaded = await Http.PostAsync($"/api/projects/{project}/stems", form, ct);
        uploaded.EnsureSuccessStatusCode();
        var stems = await Http.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/stems", ct);
        return (project, stems[0].GetProperty("id").GetInt32());
    }

    public Task<HttpResponseMessage> GenerateAsync(int project, int stem, CancellationToken ct) =>
        Http.PostAsJsonAsync($"/api/projects/{project}/jobs", new { contextStemIds = new[] { stem }, category = "Bass", preset = "fast" }, ct);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
