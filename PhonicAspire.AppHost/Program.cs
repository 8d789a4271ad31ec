using Aspire.Hosting.Lifecycle;
using PhonicAspire.AppHost.Commands;
using PhonicAspire.AppHost.Forwarding;
using PhonicAspire.AppHost.Infrastructure;
using PhonicAspire.AppHost.Infrastructure.Containers;
using PhonicAspire.AppHost.Infrastructure.Local;

var builder = DistributedApplication.CreateBuilder(args);
builder.Services.AddEventingSubscriber<PlainResourceUrls>();

if (!InfrastructureModeResolver.TryResolve(builder.Configuration, builder.ExecutionContext.IsPublishMode, out var infrastructure, out var problem))
{
    await Console.Error.WriteLineAsync(problem);
    return 1;
}

if (!RedisServerSettings.TryRead(builder.Configuration, out var redisSettings, out problem))
{
    await Console.Error.WriteLineAsync(problem);
    return 1;
}

if (!ServiceReplicas.TryRead(builder.Configuration, out var replicas, out problem))
{
    await Console.Error.WriteLineAsync(problem);
    return 1;
}

var webhookSecret = builder.AddParameter("phonic-webhook-secret", secret: true)
    .WithDescription("Phonic's webhook signing secret(s), `whsec_…`; separate several with spaces or commas to rotate.");

BackingServices? backing;
if (infrastructure == InfrastructureMode.Containers)
{
    backing = builder.AddContainerBackingServices(redisSettings);
}
else if (!builder.TryAddLocalBackingServices(redisSettings, out backing, out problem))
{
    await Console.Error.WriteLineAsync(problem);
    return 1;
}

var api = builder.AddProject<Projects.PhonicAspire_WebhookApi>("webhookapi")
    .WithReference(backing.Redis).WaitFor(backing.Redis)
    .WithEnvironment("Phonic__WebhookSecrets", webhookSecret)
    .WithServiceProbes()
    .WithReplicas(replicas.Api);

var worker = builder.AddProject<Projects.PhonicAspire_Worker>("worker")
    .WithReference(backing.Redis).WaitFor(backing.Redis)
    .WithReference(backing.Database).WaitFor(backing.Database)
    .WithServiceProbes()
    .WithReplicas(replicas.Worker)
    .WithoutPrecompiledFrameworkCode()
    .WithForwarding();

// The dashboard's buttons exist where the dashboard does: in a run, never in a published deployment.
if (builder.ExecutionContext.IsRunMode)
{
    var operatorKey = builder.AddOperatorKey();
    api.WithTestWebhookCommand(operatorKey);
    worker.WithStreamCommands(operatorKey);
}

await builder.Build().RunAsync();
return 0;
