using StemGen.Jobs;
using StemGen.Web.Training;

namespace StemGen.Web.Jobs;

/// <summary>The gateway of the studio's own Hangfire server: the ledger and the model serving, called directly (each call in its own scope).</summary>
public sealed class InProcessStudioGateway(IServiceScopeFactory scopes) : IStudioGateway
{
    private async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> action) where TService : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    private Task<T> WithLedgerAsync<T>(Func<JobLedger, Task<T>> action) => WithAsync(action);

    public Task<ServedModelRef?> ServedModelAsync(CancellationToken cancellationToken) =>
        WithAsync<ModelServing, ServedModelRef?>(s => s.ReferenceAsync(cancellationToken));

    /// <summary>The studio's own file: nothing to download.</summary>
    public async Task<string> ModelFileAsync(ServedModelRef model, CancellationToken cancellationToken) =>
        await WithAsync<ModelServing, string?>(s => s.FileAsync(model.Sha256, cancellationToken))
        ?? throw new GeneratorUnavailableException($"the file of the served model {model.Name} is gone: serve another model or roll back");

    public Task<JobTicket?> ClaimAsync(int jobId, string device, string model, CancellationToken cancellationToken) =>
        WithLedgerAsync(l => l.ClaimAsync(jobId, device, model, cancellationToken));

    public async Task<Stream> OpenStemAsync(int jobId, int stemId, CancellationToken cancellationToken) =>
        await WithLedgerAsync(l => l.OpenStemAsync(jobId, stemId, cancellationToken))
        ?? throw new InvalidOperationException($"stem {stemId} is not part of job {jobId}");

    public Task<bool> ReportProgressAsync(JobProgressReport report, CancellationToken cancellationToken) =>
        WithLedgerAsync(l => l.ReportProgressAsync(report, cancellationToken));

    public Task<IReadOnlyList<int>> StoredCandidatesAsync(int jobId, CancellationToken cancellationToken) =>
        WithLedgerAsync(l => l.StoredCandidatesAsync(jobId, cancellationToken));

    public Task StoreCandidateAsync(int jobId, int index, Stream wav, CancellationToken cancellationToken) =>
        WithLedgerAsync(async l => { await l.StoreCandidateAsync(jobId, index, wav, cancellationToken); return true; });

    public Task FinishAsync(int jobId, JobOutcome outcome, CancellationToken cancellationToken) =>
        WithLedgerAsync(async l => { await l.FinishAsync(jobId, outcome, cancellationToken); return true; });
}
