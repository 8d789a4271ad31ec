using System.Text.Json.Nodes;

namespace PhonicAspire.Tests.Storage;

/// <summary>Compares JSON by meaning: jsonb normalises whitespace and key order.</summary>
internal static class JsonAssert
{
    public static void Equivalent(string? expectedJson, string? actualJson)
    {
        Assert.NotNull(actualJson);
        Assert.NotNull(expectedJson);
        var expected = JsonNode.Parse(expectedJson);
        var actual = JsonNode.Parse(actualJson);
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Expected {expected?.ToJsonString()} but found {actual?.ToJsonString()}.");
    }
}
