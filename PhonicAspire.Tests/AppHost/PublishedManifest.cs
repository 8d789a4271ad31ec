using System.Text.Json;

namespace PhonicAspire.Tests.AppHost;

/// <summary>
/// The deployment manifest exactly as <c>dotnet run --project PhonicAspire.AppHost -- --publisher manifest</c> writes
/// it, in the Development environment a launch profile gives: what <c>azd</c> and Aspir8 deploy. Written on a machine
/// whose container engine does not answer (as on a build agent without one) but that has the local servers, which a
/// run would use instead: a deployment gets containers all the same.
/// </summary>
public sealed class PublishedManifest : IAsyncLifetime
{
    /// <summary>The <c>Phonic:RedisMaxMemory</c> the manifest is published with.</summary>
    public const string MaxMemory = "256mb";

    private readonly string _directory = Directory.CreateTempSubdirectory("phonic-manifest-").FullName;
    private JsonDocument? _document;

    public JsonElement Resources => (_document ?? throw new InvalidOperationException("The manifest was not published.")).RootElement.GetProperty("resources");

    public JsonElement Resource(string name) =>
        Resources.TryGetProperty(name, out var resource) ? resource : throw new KeyNotFoundException($"The manifest has no resource '{name}'.");

    public async Task InitializeAsync()
    {
        var path = Path.Combine(_directory, "manifest.json");
        var (exitCode, output, error) = await AppHostProcess.RunAsync(
            new Dictionary<string, string> { ["ASPIRE_CONTAINER_RUNTIME"] = "false", ["DOTNET_ENVIRONMENT"] = "Development", ["Phonic__RedisMaxMemory"] = MaxMemory },
            "--publisher", "manifest", "--output-path", path);
        Assert.True(exitCode == 0, $"Publishing the manifest exited with {exitCode}: {error}{output}");
        await using var file = File.OpenRead(path);
        _document = await JsonDocument.ParseAsync(file);
    }

    public Task DisposeAsync()
    {
        _document?.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
