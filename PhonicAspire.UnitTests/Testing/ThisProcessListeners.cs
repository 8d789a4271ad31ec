namespace PhonicAspire.UnitTests.Testing;

/// <summary>
/// Tests that open listening sockets in this process and read or probe all of them: run one at a time, so one's
/// probes never reach another's listener.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ThisProcessListeners
{
    public const string Name = "Listening sockets of the test process";
}
