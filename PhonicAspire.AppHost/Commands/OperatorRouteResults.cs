using System.Text.Json;

namespace PhonicAspire.AppHost.Commands;

/// <summary>
/// What the dashboard shows for a button: a failure with the operator route's own reason (its problem's detail, such
/// as what stopped a replay and how many dead letters it had moved), not only the status code.
/// </summary>
internal static class OperatorRouteResults
{
    public static async Task<ExecuteCommandResult> FromResponseAsync(HttpCommandResultContext context)
    {
        var response = context.Response;
        if (response.IsSuccessStatusCode)
        {
            return CommandResults.Success();
        }

        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        return CommandResults.Failure(await ProblemDetailAsync(response, context.CancellationToken) is { } detail
            ? $"{status}: {detail}"
            : $"The service answered {status}.");
    }

    private static async Task<string?> ProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }

        try
        {
            using var problem = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return problem.RootElement.ValueKind == JsonValueKind.Object
                && problem.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String
                ? detail.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
