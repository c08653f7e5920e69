using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using StemGen.Jobs;
using StemGen.Web.Endpoints;
using StemGen.Web.Jobs;

namespace StemGen.Web.Hubs;

/// <summary>
/// Workers stream progress here (a few reports a second per job); the studio relays it to every open
/// page of the project. The answer to each report says whether a user asked to cancel the job.
/// </summary>
[Authorize(Policy = WorkerKeyAuthentication.Policy)]
public sealed class WorkerHub(JobLedger ledger, WorkerLeases leases) : Hub
{
    /// <summary>Only for the job the worker holds (<see cref="WorkerLeases"/>); for any other the answer is "stop".</summary>
    public async Task<bool> ReportProgress(JobProgressReport report) =>
        await leases.CheckAsync(report.JobId, Context.User!, "progress", Context.ConnectionAborted) != WorkerLeases.Verdict.Allowed
        || await ledger.ReportProgressAsync(report, Context.ConnectionAborted);
}
