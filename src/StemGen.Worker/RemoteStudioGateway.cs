using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using StemGen.Jobs;

namespace StemGen.Worker;

/// <summary>The studio as a worker sees it: its worker endpoints over HTTP, progress over its worker hub.</summary>
public sealed class RemoteStudioGateway(HttpClient http, StudioHubConnection hub) : IStudioGateway
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static string Job(int jobId) => $"api/worker/jobs/{jobId}";

    public async Task<JobTicket?> ClaimAsync(int jobId, string device, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"{Job(jobId)}/claim", new { device }, Json, cancellationToken);
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
