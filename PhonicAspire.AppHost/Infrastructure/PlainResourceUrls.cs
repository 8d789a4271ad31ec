namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// Every resource's URLs as plain links, not tied to their endpoints. Each time Aspire 13.6 updates a resource's state
/// it looks up the one DCP Endpoint object behind each endpoint's URL, and throws when it finds two; a CI run saw DCP
/// hold two for PostgreSQL's service during a restart, and the throw ended the AppHost's watches over DCP, so neither
/// the dashboard nor anything waiting on a resource saw a state change again (PostgreSQL SIGKILLed later read Running
/// for good). A plain link shows the same address under the same name, active while its resource runs.
/// </summary>
internal static class PlainResourceUrls
{
    public static IDistributedApplicationBuilder WithPlainResourceUrls(this IDistributedApplicationBuilder builder)
    {
        // At start, so resources added after this call are covered too, and after every other URL callback.
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            foreach (var resource in @event.Model.Resources.OfType<IResourceWithEndpoints>())
            {
                builder.CreateResourceBuilder(resource).WithUrls(Untie);
            }

            return Task.CompletedTask;
        });
        return builder;
    }

    private static void Untie(ResourceUrlsCallbackContext context)
    {
        var plain = context.Urls
            .Select(url => url.Endpoint is null ? url : new ResourceUrlAnnotation
            {
                Url = url.Url,
                DisplayText = url.DisplayText ?? url.Endpoint.EndpointName,
                DisplayLocation = url.DisplayLocation,
            })
            // A plain link kept from an earlier start is made again from its endpoint on the next.
            .DistinctBy(url => url.Url)
            .ToList();
        context.Urls.Clear();
        context.Urls.AddRange(plain);
    }
}
