using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using PhonicAspire.Worker.Forwarding;

namespace PhonicAspire.UnitTests.Worker;

public sealed class ForwardingOptionsValidatorTests
{
    [Theory]
    [InlineData("http://user:p4ssw0rd@receiver.example/hooks", "p4ssw0rd")]
    [InlineData("https://t0ken@receiver.example/hooks", "t0ken")]
    public void A_destination_url_with_credentials_in_it_is_refused_at_start_up_since_the_forward_would_not_send_them(string url, string credential)
    {
        var result = new ForwardingOptionsValidator(new ConfigurationBuilder().Build()).Validate(null, OptionsWith(url));

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains("Forwarding:Destinations:receiver:Url", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(credential, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_destination_url_without_credentials_is_accepted()
    {
        Assert.True(new ForwardingOptionsValidator(new ConfigurationBuilder().Build()).Validate(null, OptionsWith("https://receiver.example/hooks?team=voice")).Succeeded);
    }

    [Theory]
    [InlineData("http://exa mple.com/hooks")]
    [InlineData("http://127.0.0.1:99999/hooks")]
    public void A_destination_url_that_does_not_parse_is_refused_at_start_up_naming_the_setting(string url)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Forwarding:SigningSecret"] = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            ["Forwarding:Destinations:receiver:Url"] = url,
        }).Build();
        var options = new ForwardingOptions();
        configuration.GetSection(ForwardingOptions.SectionName).Bind(options);
        Assert.Empty(options.Destinations);

        var result = new ForwardingOptionsValidator(configuration).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Forwarding:Destinations:receiver:Url", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    private static ForwardingOptions OptionsWith(string url) => new()
    {
        SigningSecret = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
        Destinations = { ["receiver"] = new ForwardingDestination { Url = new Uri(url) } },
    };
}
