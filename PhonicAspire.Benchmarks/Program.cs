using System.Runtime.Versioning;
using PhonicAspire.Benchmarks;
using PhonicAspire.Benchmarks.Ingest;

// The harness finds and measures processes through Linux's /proc.
[assembly: SupportedOSPlatform("linux")]

if (args is [BaselineServer.Argument, var port])
{
    return await BaselineServer.RunAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture));
}

BenchmarkScope scope;
switch (args)
{
    case []:
        scope = BenchmarkScope.Everything;
        break;
    case ["--only", "ingest"]:
        scope = BenchmarkScope.Ingest;
        break;
    case ["--only", "drain"]:
        scope = BenchmarkScope.Drain;
        break;
    case ["--only", "end-to-end"]:
        scope = BenchmarkScope.EndToEnd;
        break;
    default:
        await Console.Error.WriteLineAsync($"usage: scripts/bench [--only ingest|drain|end-to-end]   ('{BaselineServer.Argument} PORT' is internal)");
        return 2;
}

// Every phase has its own bound; this one only guarantees that nothing can hang the whole run.
using var cancellation = new CancellationTokenSource(BenchmarkSettings.Default.WholeRunLimit);
Console.CancelKeyPress += (_, eventArgs) =>
{
    eventArgs.Cancel = true;
    cancellation.Cancel();
};

return await new BenchmarkRun(BenchmarkSettings.Default, scope, TimeProvider.System).RunAsync(cancellation.Token);
