using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

// gpucheck PROGRAM [ARGS]: runs one of the packed programs in this process (they share this folder's
// runtime), or the binding's xunit tests without `dotnet test`. Used by scripts/gpu-check.sh.
//   gpucheck stemgen|generation-bench|training-bench|codec-bench ARGS
//   gpucheck torch-tests [-class FULL.TYPE.NAME]...
var programs = new Dictionary<string, string>
{
    ["stemgen"] = "stemgen",
    ["generation-bench"] = "StemGen.Generation.Bench",
    ["training-bench"] = "stemgen-train-bench",
    ["codec-bench"] = "StemGen.Codec.Bench",
};
if (args.Length == 0 || (args[0] != "torch-tests" && !programs.ContainsKey(args[0])))
{
    Console.Error.WriteLine($"usage: gpucheck {string.Join("|", programs.Keys)}|torch-tests [ARGS]");
    return 2;
}
var rest = args[1..];
if (args[0] == "torch-tests") return TorchTests.Run(rest);

var entry = Assembly.Load(programs[args[0]]).EntryPoint ?? throw new InvalidOperationException($"{args[0]} has no entry point");
try
{
    var result = entry.Invoke(null, entry.GetParameters().Length == 0 ? [] : [rest]);
    return result switch
    {
        int code => code,
        Task<int> task => task.GetAwaiter().GetResult(),
        Task task => Wait(task),
        _ => 0,
    };
}
catch (TargetInvocationException e) when (e.InnerException is { } inner)
{
    // What the program itself would have died of, without the reflection wrapper.
    Console.Error.WriteLine($"{args[0]}: unhandled {inner}");
    return 1;
}

static int Wait(Task task)
{
    task.GetAwaiter().GetResult();
    return 0;
}

// The binding's xunit v2 tests (StemGen.Torch.Tests.dll, beside this program) through xunit's own
// discoverer and executor (xunit.execution; the runner packages are not restorable here): one
// line per failure, then "N passed, N failed, N skipped"; exit code 1 on any failure or no test run.
internal static class TorchTests
{
    public static int Run(string[] args)
    {
        var classes = new HashSet<string>();
        for (var i = 0; i + 1 < args.Length; i += 2)
            if (args[i] == "-class") classes.Add(args[i + 1]);
        var assembly = Assembly.Load("StemGen.Torch.Tests");
        var diagnostics = new Sink(_ => { });
        using var framework = new XunitTestFramework(diagnostics);

        var cases = new List<ITestCase>();
        using (var discovered = new ManualResetEventSlim())
        using (var discoverer = framework.GetDiscoverer(Reflector.Wrap(assembly)))
        {
            discoverer.Find(false, new Sink(m =>
            {
                if (m is ITestCaseDiscoveryMessage d && (classes.Count == 0 || classes.Contains(d.TestCase.TestMethod.TestClass.Class.Name)))
                    cases.Add(d.TestCase);
                if (m is IDiscoveryCompleteMessage) discovered.Set();
            }), new Options());
            discovered.Wait();
        }

        var (passed, failed, skipped) = (0, 0, 0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var finished = new ManualResetEventSlim())
        using (var executor = framework.GetExecutor(assembly.GetName()))
        {
            var options = new Options();
            options.SetValue("xunit.execution.DisableParallelization", true);
            executor.RunTests(cases, new Sink(m =>
            {
                switch (m)
                {
                    case ITestPassed: Interlocked.Increment(ref passed); break;
                    case ITestSkipped: Interlocked.Increment(ref skipped); break;
                    case ITestFailed f:
                        Interlocked.Increment(ref failed);
                        Console.WriteLine($"FAIL {f.Test.DisplayName}: {string.Join(" / ", f.Messages)}\n{string.Join("\n", f.StackTraces)}");
                        break;
                    case IErrorMessage e:
                        Interlocked.Increment(ref failed);
                        Console.WriteLine($"ERROR {string.Join(" / ", e.Messages)}\n{string.Join("\n", e.StackTraces)}");
                        break;
                    case ITestAssemblyFinished: finished.Set(); break;
                }
            }), options);
            finished.Wait();
        }
        Console.WriteLine($"{cases.Count} test cases in {clock.Elapsed.TotalSeconds:F1} s: {passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    private sealed class Sink(Action<IMessageSinkMessage> handle) : Xunit.LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message)
        {
            handle(message);
            return true;
        }
    }

    private sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        private readonly Dictionary<string, object?> values = [];

        public TValue GetValue<TValue>(string name) => values.TryGetValue(name, out var v) && v is TValue t ? t : default!;

        public void SetValue<TValue>(string name, TValue value) => values[name] = value;
    }
}
