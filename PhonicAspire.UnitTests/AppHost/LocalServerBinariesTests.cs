using PhonicAspire.AppHost.Infrastructure.Local;

namespace PhonicAspire.UnitTests.AppHost;

/// <summary>Which PostgreSQL serves the local cluster, on a stand-in for Debian's <c>/usr/lib/postgresql</c>.</summary>
public sealed class LocalServerBinariesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("phonic-postgresql-").FullName;
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("phonic-elsewhere-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_elsewhere, recursive: true);
    }

    [Fact]
    public void A_cluster_is_served_by_the_version_that_made_it_when_a_newer_one_is_installed_beside_it()
    {
        var made = Install("15");
        Install("16");

        Assert.Equal(made, LocalServerBinaries.FindPostgresDirectory(Cluster(madeBy: "15"), _root));
    }

    [Fact]
    public void A_cluster_made_by_a_version_the_machine_lacks_is_refused_naming_that_version_and_the_folder()
    {
        var installed = Install("15");
        var cluster = Cluster(madeBy: "16");

        var refusal = LocalServerBinaries.ClusterRefusal(cluster, Path.Combine(installed, "postgres"), _root);

        Assert.Equal(
            $"The local PostgreSQL cluster in {cluster} was made by PostgreSQL 16, and the server this machine would run is PostgreSQL 15, " +
            "which refuses a cluster of another major version: install PostgreSQL 16 (Debian's postgresql-16, from PostgreSQL's own apt " +
            "repository where the distribution has none), or move the folder away to start with an empty cluster.",
            refusal);
    }

    // As /usr/local/bin/postgres may lead into Debian's folder, here through a relative link to another link.
    [Fact]
    public void A_server_reached_through_links_is_known_by_the_version_folder_they_lead_to()
    {
        Install("15");
        var links = Directory.CreateDirectory(Path.Combine(_root, "links")).FullName;
        File.CreateSymbolicLink(Path.Combine(links, "postgres-15"), Path.Combine("..", "15", "bin", "postgres"));
        File.CreateSymbolicLink(Path.Combine(links, "postgres"), "postgres-15");

        Assert.Contains(
            "the server this machine would run is PostgreSQL 15,",
            LocalServerBinaries.ClusterRefusal(Cluster(madeBy: "16"), Path.Combine(links, "postgres"), _root));
    }

    [Fact]
    public void A_cluster_is_not_refused_by_the_version_that_made_it_nor_by_a_server_outside_Debians_folder()
    {
        var installed = Install("16");
        // A version-numbered folder, but not under Debian's root: whose version it is, only the server can say.
        var elsewhere = Directory.CreateDirectory(Path.Combine(_elsewhere, "15", "bin")).FullName;
        File.WriteAllText(Path.Combine(elsewhere, "postgres"), "");

        Assert.Null(LocalServerBinaries.ClusterRefusal(Cluster(madeBy: "16"), Path.Combine(installed, "postgres"), _root));
        Assert.Null(LocalServerBinaries.ClusterRefusal(Cluster(madeBy: "16"), Path.Combine(elsewhere, "postgres"), _root));
        Assert.Null(LocalServerBinaries.ClusterRefusal(Path.Combine(_root, "no-cluster-yet"), Path.Combine(installed, "postgres"), _root));
    }

    private string Cluster(string madeBy)
    {
        var cluster = Directory.CreateDirectory(Path.Combine(_root, "data", "postgres")).FullName;
        File.WriteAllText(Path.Combine(cluster, "PG_VERSION"), madeBy + "\n");
        return cluster;
    }

    private string Install(string version)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_root, version, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "postgres"), "");
        File.WriteAllText(Path.Combine(bin, "initdb"), "");
        return bin;
    }
}
