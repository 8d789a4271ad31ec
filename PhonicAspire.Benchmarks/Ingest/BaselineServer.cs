using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Ingest;

/// <summary>
/// The ingest baseline: what this machine's ASP.NET Core does when an endpoint only reads the delivery's body into
/// a pooled buffer, as the API does, and answers 200, with no verification and no Redis. Runs in its own process,
/// started by <see cref="BaselineServerProcess"/>, which it serves until its standard input closes.
/// </summary>
public static class BaselineServer
{
    public const string Argument = "--baseline-server";
    public const string ReadyLine = "baseline-server ready";

    public static async Task<int> RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

        var app = builder.Build();
        app.MapPost(SignedWebhook.Route, ReadBodyAsync);
        await app.StartAsync();
        Console.WriteLine(ReadyLine);

        // The parent holds our standard input: its end, even by a crash, ends this process too.
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }

    private static async Task ReadBodyAsync(HttpContext context)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)(context.Request.ContentLength ?? 16 * 1024) + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                    return;
                }
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
