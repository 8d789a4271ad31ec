using PhonicAspire.Worker.Administration;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPhonicPersistence();
builder.AddWebhookDraining();

var app = builder.Build();

app.MapDefaultEndpoints();

app.MapOperatorRoutes()?.MapStreamAdministration();

app.Run();
