using PhonicAspire.AppHost.Infrastructure.Local;

namespace PhonicAspire.UnitTests.AppHost;

/// <summary>Which PostgreSQL serves the local cluster, on a stand-in for Debian's <c>/usr/lib/postgresql</c>.</summary>
public sealed class LocalServerBinariesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("phonic-postgresql-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_cluster_is_served_by_the_version_that_made_it_when_a_newer_one_is_installed_beside_it()
    {
        var made = Install("15");
        Install("16");
        var cluster = Directory.CreateDirectory(Path.Combine(_root, "data", "postgres")).FullName;
        File.WriteAllText(Path.Combine(cluster, "PG_VERSION"), "15\n");

        Assert.Equal(made, LocalServerBinaries.FindPostgresDirectory(cluster, _root));
    }

    private string Install(string version)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_root, version, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "postgres"), "");
        File.WriteAllText(Path.Combine(bin, "initdb"), "");
        return bin;
    }
}
