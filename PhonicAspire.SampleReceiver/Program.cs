using PhonicAspire.SampleReceiver;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddForwardedEventVerification();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapForwardedEvents();

app.Run();
