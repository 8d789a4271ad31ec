namespace PhonicAspire.Testing;

/// <summary>How <see cref="LocalStack"/> starts the application; the defaults are what most tests want.</summary>
public sealed record LocalStackOptions
{
    public string WebhookSecret { get; init; } = WebhookSecrets.Fixed;

    /// <summary>Processes of each service (the AppHost's <c>Phonic:ApiReplicas</c> and <c>Phonic:WorkerReplicas</c>).</summary>
    public int ApiReplicas { get; init; } = 1;

    public int WorkerReplicas { get; init; } = 1;

    /// <summary>More AppHost configuration, <c>key=value</c> as on its command line.</summary>
    public IReadOnlyList<string> AppHostArguments { get; init; } = [];

    /// <summary>
    /// Whether the servers' and services' own output reaches the console. A report printed while the stack runs
    /// would be buried under it; a test run shows it beside the failure it explains.
    /// </summary>
    public bool ShowResourceLogs { get; init; } = true;

    /// <summary>
    /// Environment every service (API, worker, sample receiver) gets: where tests and benchmarks point the OTLP
    /// exporters, say.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> ServiceEnvironment { get; init; } = [];

    /// <summary>Changes to the AppHost's model before it is built, such as one service's environment.</summary>
    public Action<IDistributedApplicationTestingBuilder>? Configure { get; init; }
}
