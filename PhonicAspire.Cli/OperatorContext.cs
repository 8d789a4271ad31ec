using Microsoft.Extensions.Configuration;
using Npgsql;
using PhonicAspire.Webhooks.Svix;
using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.Cli;

/// <summary>
/// The connections a command needs, opened on first use from the services' configuration keys, each missing or
/// unreachable one reported in a single line.
/// </summary>
public sealed class OperatorContext(IConfiguration configuration, TextWriter output) : IAsyncDisposable
{
    private ConnectionMultiplexer? _redis;
    private NpgsqlDataSource? _database;

    public TextWriter Output { get; } = output;

    public TimeProvider TimeProvider { get; } = TimeProvider.System;

    public WebhookSigningKeys SigningKeys =>
        WebhookSigningKeys.TryParse(configuration["Phonic:WebhookSecrets"], out var keys, out var problem)
            ? keys
            : throw new OperatorException($"Phonic:WebhookSecrets (Phonic__WebhookSecrets) is unusable: {problem}");

    public async Task<WebhookStreamClient> StreamAsync()
    {
        if (_redis is null)
        {
            var connectionString = Required("redis");
            try
            {
                _redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
            }
            catch (RedisConnectionException exception)
            {
                throw new OperatorException($"Redis is not reachable with ConnectionStrings:redis ({exception.FailureType}).");
            }
            catch (ArgumentException exception)
            {
                throw Unusable("redis", exception);
            }
        }

        return new WebhookStreamClient(_redis, TimeProvider);
    }

    public NpgsqlDataSource Database
    {
        get
        {
            try
            {
                return _database ??= NpgsqlDataSource.Create(Required("phonicdb"));
            }
            catch (ArgumentException exception)
            {
                throw Unusable("phonicdb", exception);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    // The clients' messages name the keyword or the position that is wrong, and can quote what they could not read:
    // the operator's own setting, on the operator's own terminal.
    private static OperatorException Unusable(string name, ArgumentException exception) =>
        new($"ConnectionStrings:{name} (ConnectionStrings__{name}) is not a connection string its client takes: {exception.Message}");

    private string Required(string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } connectionString
            ? connectionString
            : throw new OperatorException($"ConnectionStrings:{name} is not set: give the command the services' environment (ConnectionStrings__{name}).");
}
