using PhonicAspire.Worker.Administration;
using PhonicAspire.Worker.Configuration;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPhonicPersistence();
builder.AddWebhookDraining();

var app = builder.Build();

app.MapDefaultEndpoints();

app.MapOperatorRoutes()?.MapStreamAdministration();

app.Run();
