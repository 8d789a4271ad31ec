using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.UnitTests.Signatures;

/// <summary>Every case signed by the official svix library must come out exactly as it did there.</summary>
public sealed class SvixCaseTests
{
    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var name in SvixCase.All.Keys)
        {
            names.Add(name);
        }

        return names;
    }

    [Fact]
    public void Every_case_is_loaded()
    {
        Assert.True(SvixCase.All.Count > 20, $"Only {SvixCase.All.Count} svix cases were loaded.");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case_verifies_as_the_svix_library_did(string name)
    {
        var @case = SvixCase.All[name];
        var verifier = new SvixSignatureVerifier(
            WebhookSigningKeys.Parse(string.Join(' ', @case.Secrets)),
            new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(@case.Now)));

        var result = verifier.Verify(@case.Id, @case.Timestamp, @case.Signature, @case.Body);

        Assert.Equal(@case.Expected, result);
    }
}
