using PhonicAspire.ServiceDefaults.Memory;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Development;
using PhonicAspire.WebhookApi.Receiving;

NativeHeap.ReturnLargeBlocksWhenFreed();

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddWebhookReceiving();

var app = builder.Build();

app.UseProblemResponses();

app.MapDefaultEndpoints();
app.MapPhonicWebhooks();

app.MapOperatorRoutes()?.MapTestWebhooks();

app.Run();
