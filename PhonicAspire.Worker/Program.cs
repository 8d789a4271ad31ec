using PhonicAspire.ServiceDefaults.Memory;
using PhonicAspire.Worker.Administration;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Forwarding;

NativeHeap.ReturnLargeBlocksWhenFreed();

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPhonicPersistence();
builder.AddWebhookDraining();
builder.AddWebhookForwarding();

var app = builder.Build();

app.UseProblemResponses();

app.MapDefaultEndpoints();

app.MapOperatorRoutes()?.MapStreamAdministration();

app.Run();
