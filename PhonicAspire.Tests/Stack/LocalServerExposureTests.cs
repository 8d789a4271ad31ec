using System.Globalization;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// In local mode the machine's Redis and PostgreSQL are the AppHost's: nothing off the machine may reach them, no
/// other local user may read their data or secrets, and Redis wants its password as in containers mode.
/// </summary>
[Collection(StackCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalServerExposureTests(PhonicStackFixture stack)
{
    private const string Listening = "0A";

    [Fact]
    public async Task Redis_and_postgres_listen_on_loopback_only()
    {
        var redisPort = int.Parse((await stack.App.GetConnectionStringAsync("redis"))!.Split(',')[0].Split(':')[^1], CultureInfo.InvariantCulture);
        var postgresPort = new NpgsqlConnectionStringBuilder(await stack.App.GetConnectionStringAsync("phonicdb")).Port;

        foreach (var port in new[] { redisPort, postgresPort })
        {
            var addresses = ListeningAddresses(port);
            Assert.NotEmpty(addresses);
            Assert.All(addresses, address => Assert.True(address is "0100007F" or "00000000000000000000000001000000",
                $"something listens on port {port} at {address}, not loopback"));
        }
    }

    [Fact]
    public async Task Redis_refuses_a_client_without_its_password()
    {
        var connectionString = (await stack.App.GetConnectionStringAsync("redis"))!;
        Assert.Contains(",password=", connectionString, StringComparison.Ordinal);
        var port = int.Parse(connectionString.Split(',')[0].Split(':')[^1], CultureInfo.InvariantCulture);

        // A bare client, as any other local user could open.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        using var reader = new StreamReader(stream);
        var reply = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("-NOAUTH", reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redis", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)]
    [InlineData("postgres", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)]
    [InlineData("redis.password", UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData("postgres.password", UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData("redis/redis.conf", UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    public void Data_folders_and_secrets_are_their_owners_alone(string path, UnixFileMode expected)
    {
        Assert.Equal(expected, File.GetUnixFileMode(Path.Combine(stack.DataDirectory, path)));
    }

    /// <summary>The local addresses (as /proc/net/tcp writes them, hex) of sockets listening on <paramref name="port"/>.</summary>
    private static List<string> ListeningAddresses(int port)
    {
        var addresses = new List<string>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // "  sl  local_address rem_address   st ...": local_address is ADDRESS:PORT in hex.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] == Listening && int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                {
                    addresses.Add(local[0]);
                }
            }
        }

        return addresses;
    }
}
