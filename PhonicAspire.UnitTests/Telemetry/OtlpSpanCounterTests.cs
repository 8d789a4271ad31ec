using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using PhonicAspire.Testing.Otlp;

namespace PhonicAspire.UnitTests.Telemetry;

public sealed class OtlpSpanCounterTests
{
    [Fact]
    public void Counts_every_span_of_every_scope_of_every_resource_as_the_parsed_message_does()
    {
        var request = new ExportTraceServiceRequest
        {
            ResourceSpans = { Resource("webhookapi", scopes: [3, 0, 5]), Resource("worker", scopes: [1]), Resource("empty", scopes: []) },
        };
        var bytes = request.ToByteArray();

        var counted = OtlpSpanCounter.Count(bytes, bytes.Length);

        Assert.Equal(9, counted);
        Assert.Equal(ExportTraceServiceRequest.Parser.ParseFrom(bytes).ResourceSpans.Sum(resource => resource.ScopeSpans.Sum(scope => scope.Spans.Count)), counted);
    }

    [Fact]
    public void Reads_only_the_given_length_of_the_buffer()
    {
        var bytes = new ExportTraceServiceRequest { ResourceSpans = { Resource("worker", scopes: [2]) } }.ToByteArray();
        var buffer = new byte[bytes.Length + 64];
        bytes.CopyTo(buffer, 0);
        Array.Fill(buffer, (byte)0x0A, bytes.Length, 64);

        Assert.Equal(2, OtlpSpanCounter.Count(buffer, bytes.Length));
    }

    [Fact]
    public void An_empty_request_has_no_spans() => Assert.Equal(0, OtlpSpanCounter.Count([], 0));

    private static ResourceSpans Resource(string service, int[] scopes)
    {
        var resource = new ResourceSpans
        {
            Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } } } },
            SchemaUrl = "https://opentelemetry.io/schemas/1.30.0",
        };
        foreach (var spans in scopes)
        {
            var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "PhonicAspire" } };
            for (var index = 0; index < spans; index++)
            {
                scope.Spans.Add(new Span
                {
                    TraceId = ByteString.CopyFrom(new byte[16]),
                    SpanId = ByteString.CopyFrom(new byte[8]),
                    Name = $"phonic.webhook process {index}",
                    Attributes = { new KeyValue { Key = "phonic.svix_id", Value = new AnyValue { StringValue = "msg_1" } } },
                });
            }

            resource.ScopeSpans.Add(scope);
        }

        return resource;
    }
}
