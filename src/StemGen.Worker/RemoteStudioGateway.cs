using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using StemGen.Jobs;

namespace StemGen.Worker;

/// <summary>The studio as a worker sees it: its worker endpoints over HTTP, progress over its worker hub.</summary>
public sealed class RemoteStudioGateway(HttpClient http, StudioHubConnection hub, IOptions<WorkerOptions> options) : IStudioGateway
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static string Job(int jobId) => $"api/worker/jobs/{jobId}";

    public async Task<ServedModelRef?> ServedModelAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("api/worker/model", cancellationToken);
        response.EnsureSuccessStatusCode();
        return response.StatusCode == HttpStatusCode.NoContent ? null : await response.Content.ReadFromJsonAsync<ServedModelRef>(Json, cancellationToken);
    }

    /// <summary>The cached file named by its SHA-256; otherwise downloaded, checked against the hash and size, then moved into the cache.</summary>
    public async Task<string> ModelFileAsync(ServedModelRef model, CancellationToken cancellationToken)
    {
        if (model.Sha256.Length != 64 || !model.Sha256.All(Uri.IsHexDigit)) throw new InvalidDataException($"the studio named model {model.Name} by '{model.Sha256}', not a SHA-256");
        var folder = Directory.CreateDirectory(options.Value.ModelCache).FullName;
        var path = Path.Combine(folder, model.Sha256.ToLowerInvariant() + ".safetensors");
        if (File.Exists(path) && new FileInfo(path).Length == model.Bytes) return path;
        var temp = path + $".{Guid.NewGuid():N}.part";
        try
        {
            using (var response = await http.GetAsync($"api/worker/models/{model.Sha256}", HttpCompletionOption.ResponseHeadersRead, cancellationToken))
            {
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException($"the studio refused the file of model {model.Name} ({(int)response.StatusCode})", null, response.StatusCode);
                await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
                await using var file = File.Create(temp);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                var got = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!string.Equals(got, model.Sha256, StringComparison.OrdinalIgnoreCase) || file.Length != model.Bytes)
                    throw new InvalidDataException($"the download of model {model.Name} is damaged: {file.Length} bytes with SHA-256 {got}, expected {model.Bytes} bytes with {model.Sha256}");
            }
            File.Move(temp, path, overwrite: true);
            return path;
        }
        finally { File.Delete(temp); }
    }

    public async Task<JobTicket?> ClaimAsync(int jobId, string device, string model, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"{Job(jobId)}/claim", new { device, model }, Json, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response.StatusCode == HttpStatusCode.NoContent ? null
            : await response.Content.ReadFromJsonAsync<JobTicket>(Json, cancellationToken);
    }

    public async Task<Stream> OpenStemAsync(int jobId, int stemId, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync($"{Job(jobId)}/stems/{stemId}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new HttpRequestException($"the studio refused stem {stemId} of job {jobId} ({(int)response.StatusCode})", null, response.StatusCode);
        }
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    public Task<bool> ReportProgressAsync(JobProgressReport report, CancellationToken cancellationToken) =>
        hub.ReportProgressAsync(report, cancellationToken);

    public async Task<IReadOnlyList<int>> StoredCandidatesAsync(int jobId, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<int[]>($"{Job(jobId)}/candidates", Json, cancellationToken) ?? [];

    public async Task StoreCandidateAsync(int jobId, int index, Stream wav, CancellationToken cancellationToken)
    {
        using var content = new StreamContent(wav);
        content.Headers.ContentType = new("audio/wav");
        using var response = await http.PutAsync($"{Job(jobId)}/candidates/{index}", content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task FinishAsync(int jobId, JobOutcome outcome, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"{Job(jobId)}/finish", outcome, Json, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
