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

    [Fact]
    public void A_cluster_made_by_a_version_the_machine_lacks_is_refused_naming_that_version_and_the_folder()
    {
        var installed = Install("15");
        var cluster = Cluster(madeBy: "16");

        var refusal = LocalServerBinaries.ClusterRefusal(cluster, Path.Combine(installed, "postgres"), _root);

        Assert.Equal(
            $"The local PostgreSQL cluster in {cluster} was made by PostgreSQL 16, which this machine lacks (it has 15), " +
            "and a server refuses a cluster of another major version: install PostgreSQL 16 (`sudo apt-get install -y postgresql-16`), " +
            "or move the folder away to start with an empty cluster.",
            refusal);
    }

    [Fact]
    public void A_server_reached_through_a_link_on_PATH_is_known_by_the_version_folder_it_links_to()
    {
        var installed = Install("15");
        var linkFolder = Directory.CreateDirectory(Path.Combine(_root, "usr-local-bin")).FullName;
        var link = Path.Combine(linkFolder, "postgres");
        File.CreateSymbolicLink(link, Path.Combine(installed, "postgres"));

        Assert.Contains("it has 15", LocalServerBinaries.ClusterRefusal(Cluster(madeBy: "16"), link, _root));
    }

    [Fact]
    public void A_cluster_is_not_refused_by_the_version_that_made_it_nor_by_a_server_whose_version_its_folder_does_not_tell()
    {
        var installed = Install("16");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "opt-pgsql", "bin")).FullName;
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
