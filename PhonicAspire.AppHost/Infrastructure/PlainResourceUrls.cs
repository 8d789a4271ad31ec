using Aspire.Hosting.Eventing;
using Aspire.Hosting.Lifecycle;

namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// Every resource's absolute URLs as plain links, not tied to their endpoints. Each time Aspire 13.6 updates a
/// resource's state it looks up the one DCP Endpoint object behind each endpoint's URL, and throws when it finds two;
/// a CI run saw DCP hold two for PostgreSQL's service during a restart, and the throw ended the AppHost's watches over
/// DCP, so neither the dashboard nor anything waiting on a resource saw a state change again (PostgreSQL SIGKILLed
/// later read Running for good). A plain link shows the same address, active while its resource runs; the dashboard
/// no longer names it after its endpoint.
/// </summary>
internal sealed class PlainResourceUrls : IDistributedApplicationEventingSubscriber
{
    public Task SubscribeAsync(IDistributedApplicationEventing eventing, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        if (executionContext.IsRunMode)
        {
            // Registered after Aspire's own subscribers, so this runs after theirs: the dashboard, added at start, is
            // covered too, and these callbacks come after every other URL callback of the model (a hosting
            // integration's subscriber registered later would come after; this AppHost has none).
            eventing.Subscribe<BeforeStartEvent>((@event, _) =>
            {
                foreach (var resource in @event.Model.Resources.OfType<IResourceWithEndpoints>())
                {
                    resource.Annotations.Add(new ResourceUrlsCallbackAnnotation(Untie));
                }

                return Task.CompletedTask;
            });
        }

        return Task.CompletedTask;
    }

    private static void Untie(ResourceUrlsCallbackContext context)
    {
        for (var index = 0; index < context.Urls.Count; index++)
        {
            if (context.Urls[index] is { Endpoint: { } endpoint } url)
            {
#pragma warning disable CS0618 // DisplayOrder is obsolete, but the dashboard still orders its links by it.
                context.Urls[index] = new ResourceUrlAnnotation
                {
                    // Aspire would make a path absolute from its endpoint after the callbacks, and only while tied to it.
                    Url = url.Url.StartsWith('/') ? endpoint.Url.TrimEnd('/') + url.Url : url.Url,
                    DisplayText = url.DisplayText,
                    DisplayLocation = url.DisplayLocation,
                    DisplayOrder = url.DisplayOrder,
                };
#pragma warning restore CS0618
            }
        }
    }
}
