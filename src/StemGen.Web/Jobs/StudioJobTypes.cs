using System.Collections.Frozen;
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using StemGen.Jobs;
using StemGen.Web.Tasks;

namespace StemGen.Web.Jobs;

/// <summary>
/// The only jobs the studio's Hangfire server runs: the generation job and the task kinds (each one's RunAsync). Job rows
/// live in a database that GPU workers can write; a row naming any other type (File.Delete, Process.Start...) or another
/// method must not run. The type resolver refuses to load other types at all (the job fails to load, so it fails
/// without running), and a server filter refuses other methods of the allowed types.
/// </summary>
public static class StudioJobTypes
{
    public const string Method = "RunAsync";

    /// <summary>GenerationJobRunner and every concrete task kind of the studio.</summary>
    public static FrozenSet<Type> Jobs { get; } = typeof(StudioJobTypes).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && typeof(ITaskKind).IsAssignableFrom(t) && t.GetMethod(Method) is not null)
        .Append(typeof(GenerationJobRunner)).ToFrozenSet();

    /// <summary>The parameter types of those jobs' RunAsync.</summary>
    private static readonly FrozenSet<Type> Parameters = Jobs.SelectMany(t => t.GetMethod(Method)!.GetParameters()).Select(p => p.ParameterType).ToFrozenSet();

    private static readonly FrozenDictionary<string, Type> ByName = Jobs.Concat(Parameters).Distinct().ToFrozenDictionary(t => t.FullName!, t => t);

    private static readonly string[] CoreLibraries = ["mscorlib", "System.Private.CoreLib", "netstandard", "System.Runtime"];

    /// <summary>Hangfire's type resolver: an allowed type by its serialized name ("Full.Name, Assembly"); anything else throws before any loading.</summary>
    public static Type Resolve(string typeName)
    {
        var comma = typeName.IndexOf(',');
        var fullName = (comma < 0 ? typeName : typeName[..comma]).Trim();
        var assembly = comma < 0 ? null : typeName[(comma + 1)..].Split(',')[0].Trim();
        if (!ByName.TryGetValue(fullName, out var type)
            || assembly is not null && assembly != type.Assembly.GetName().Name && !(CoreLibraries.Contains(assembly) && CoreLibraries.Contains(type.Assembly.GetName().Name)))
            throw new JobRefusedException($"'{typeName}' is not a job the studio defines; refused without loading it");
        return type;
    }

    /// <summary>Installs the resolver and the method filter on Hangfire's configuration (process-wide, as Hangfire's configuration is).</summary>
    public static IGlobalConfiguration UseStudioJobsOnly(this IGlobalConfiguration configuration)
    {
        configuration.UseTypeResolver(Resolve);
        lock (MethodFilter)
        {
            if (!GlobalJobFilters.Filters.Any(f => f.Instance == MethodFilter)) configuration.UseFilter(MethodFilter);
        }
        return configuration;
    }

    private static readonly OnlyRunAsync MethodFilter = new();

    /// <summary>
    /// Refuses, before it runs, a job whose method is not its type's RunAsync; and ends any job it refused (or that
    /// would not load) as Failed, without the retries a real job gets: it fails the same way every time. It runs after
    /// AutomaticRetry (a higher order), which would otherwise schedule it again.
    /// </summary>
    private sealed class OnlyRunAsync : JobFilterAttribute, IServerFilter, IElectStateFilter
    {
        public OnlyRunAsync() => Order = 1000;

        public void OnPerforming(PerformingContext context)
        {
            var job = context.BackgroundJob.Job;
            if (!Allowed(job))
                throw new JobRefusedException($"{job.Type.FullName}.{job.Method.Name} is not a job the studio defines; refused");
        }

        public void OnPerformed(PerformedContext context) { }

        public void OnStateElection(ElectStateContext context)
        {
            if (context.CandidateState is not (FailedState or ScheduledState) || Allowed(context.BackgroundJob.Job)) return;
            var what = context.BackgroundJob.Job is { } job ? $"{job.Type.FullName}.{job.Method.Name} is not a job the studio defines"
                : context.Connection.GetJobData(context.BackgroundJob.Id)?.LoadException?.InnerException?.Message ?? "the job does not load";
            context.CandidateState = new FailedState(new JobRefusedException($"{what}; refused without running and not retried"))
            {
                Reason = "refused: not a job the studio defines",
            };
        }

        private static bool Allowed(Job? job) => job is not null && Jobs.Contains(job.Type) && job.Method.Name == Method;
    }
}

/// <summary>A Hangfire job row that names something the studio does not run.</summary>
public sealed class JobRefusedException(string message) : Exception(message);
