using Microsoft.Extensions.Configuration;
using PhonicAspire.AppHost.Infrastructure.Containers;

namespace PhonicAspire.Tests.AppHost;

/// <summary>
/// The probe against stand-ins for a runtime's CLI: each answers <c>info</c> as the real one does and refuses what
/// the real one refuses.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ContainerRuntimeProbeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("phonic-runtime-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_podman_whose_engine_answers_is_available_though_its_info_has_no_server_version()
    {
        // Podman's info has no ServerVersion: a template naming it fails, as `podman info --format {{.ServerVersion}}` does.
        var podman = Runtime("podman", """
            if [ "$#" -eq 1 ] && [ "$1" = info ]; then echo "host: {}"; exit 0; fi
            echo 'Error: template: info:1:2: executing "info" at <.ServerVersion>: can'"'"'t evaluate field ServerVersion in type *define.Info' >&2
            exit 125
            """);

        Assert.True(ContainerRuntimeProbe.IsAvailable(Configuration(podman)));
    }

    [Fact]
    public void A_runtime_whose_engine_does_not_answer_is_not_available()
    {
        var docker = Runtime("docker", """
            echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
            exit 1
            """);

        Assert.False(ContainerRuntimeProbe.IsAvailable(Configuration(docker)));
    }

    [Fact]
    public void A_runtime_that_is_not_installed_is_not_available() =>
        Assert.False(ContainerRuntimeProbe.IsAvailable(Configuration(Path.Combine(_directory, "nerdctl"))));

    private string Runtime(string name, string script)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, $"#!/bin/sh\n{script}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static IConfiguration Configuration(string runtime) =>
        new ConfigurationBuilder().AddInMemoryCollection([new("ASPIRE_CONTAINER_RUNTIME", runtime)]).Build();
}
