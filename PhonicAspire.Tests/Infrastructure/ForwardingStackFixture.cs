namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// The stack with forwarding configured through the AppHost: the three <see cref="ForwardingDestinations"/>
/// (<c>gone</c> only for conversation.transferred, <c>dead</c> only for conversation.analysis, <c>picky</c> only for
/// conversation.ended), short retry pauses
/// and age limit so tests see them pass, and the sample receiver a developer's F5 starts.
/// </summary>
public sealed class ForwardingStackFixture : PhonicStackFixture
{
    /// <summary>
    /// The <c>Forwarding:MaxAge</c> the stack runs with: longer than a destination's outage in the tests that expect
    /// it to be waited out, short enough that the test of a dead destination sees its events expire.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    public ForwardingStackFixture()
        : this(new ForwardingDestinations())
    {
    }

    private ForwardingStackFixture(ForwardingDestinations destinations)
        : base(
            apiReplicas: 1,
            workerReplicas: 1,
            $"Parameters:phonic-forwarding-secret={ForwardingDestinations.SigningSecret}",
            "Phonic:SampleReceiver=true",
            $"Phonic:Forwarding:Destinations:{ForwardingDestinations.Flaky}:Url={destinations.Url(ForwardingDestinations.Flaky)}",
            $"Phonic:Forwarding:Destinations:{ForwardingDestinations.Gone}:Url={destinations.Url(ForwardingDestinations.Gone)}",
            $"Phonic:Forwarding:Destinations:{ForwardingDestinations.Gone}:EventTypes:0=conversation.transferred",
            $"Phonic:Forwarding:Destinations:{ForwardingDestinations.Dead}:Url={destinations.Url(ForwardingDestinations.Dead)}",
            $"Phonic:Forwarding:Destinations:{ForwardingDestinations.Dead}:EventTypes:0=conversation.analysis",
            $"Phonic:Forwarding:Destinations:{ForwardingDestinations.Picky}:Url={destinations.Url(ForwardingDestinations.Picky)}",
            $"Phonic:Forwarding:Destinations:{ForwardingDestinations.Picky}:EventTypes:0=conversation.ended",
            $"Phonic:Forwarding:MaxAge={MaxAge}",
            "Phonic:Forwarding:FirstRetryDelay=00:00:00.200",
            "Phonic:Forwarding:MaxRetryDelay=00:00:01")
    {
        Destinations = destinations;
    }

    public ForwardingDestinations Destinations { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Destinations.DisposeAsync();
    }
}

// Alone, after the others: two stacks at once on two cores would only measure each other.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ForwardingStackCollection : ICollectionFixture<ForwardingStackFixture>
{
    public const string Name = "Whole stack with forwarding";
}
