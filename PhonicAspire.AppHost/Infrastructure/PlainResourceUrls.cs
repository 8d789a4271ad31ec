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
            // Subscribed after Aspire's own subscribers, so the dashboard, added at start, is covered too, and run
            // after every other URL callback.
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

    // A relative URL keeps its endpoint: Aspire makes it absolute from that endpoint after the callbacks.
    private static void Untie(ResourceUrlsCallbackContext context)
    {
        for (var index = 0; index < context.Urls.Count; index++)
        {
            if (context.Urls[index] is { Endpoint: not null } url && Uri.IsWellFormedUriString(url.Url, UriKind.Absolute))
            {
                context.Urls[index] = new ResourceUrlAnnotation { Url = url.Url, DisplayText = url.DisplayText, DisplayLocation = url.DisplayLocation };
            }
        }
    }
}
