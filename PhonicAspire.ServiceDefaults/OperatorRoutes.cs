using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The routes behind the dashboard's buttons, under <c>/admin</c>. They exist only when the AppHost handed the
/// service an operator key (<c>Operator:Key</c>, which it does in development) and answer only a caller that
/// presents it as a bearer token: anyone reaching the port through a tunnel, or a web page the operator has open,
/// gets 401 and changes nothing. Without a key they are not mapped at all (404).
/// </summary>
public static class OperatorRoutes
{
    public const string KeyConfigurationKey = "Operator:Key";
    public const string Prefix = "/admin";

    private const int MinKeyLength = 16;
    private const string BearerPrefix = "Bearer ";

    /// <summary>The group to map operator routes on, or null when this service has no operator key.</summary>
    public static RouteGroupBuilder? MapOperatorRoutes(this WebApplication app)
    {
        // White space around the key (a secret file's last line break) cannot be presented: a header value has none at
        // its ends. Inside it, a control character could never be presented at all.
        var key = app.Configuration[KeyConfigurationKey]?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        if (key.Any(char.IsControl))
        {
            throw new InvalidOperationException($"{KeyConfigurationKey} holds a control character (a line break?), which no Authorization header can carry.");
        }

        if (key.Length < MinKeyLength)
        {
            throw new InvalidOperationException($"{KeyConfigurationKey} is shorter than {MinKeyLength} characters; the operator routes would be guessable.");
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return app.MapGroup(Prefix)
            .AddEndpointFilter(async (context, next) =>
            {
                if (Presents(context.HttpContext.Request, expected))
                {
                    return await next(context);
                }

                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    type: ProblemTypes.Prefix + "operator-key-required",
                    title: "Operator key required",
                    detail: "Operator routes need the operator key as a bearer token.");
            })
            .ExcludeFromDescription();
    }

    // Hashes of equal length compared in constant time: neither the key nor its length leaks through timing.
    private static bool Presents(HttpRequest request, byte[] expected)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[BearerPrefix.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }
}
