using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;

namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// The dashboard's Stop and Restart of a local PostgreSQL end in a fast shutdown, as its container's do (the image's
/// stop signal is SIGINT). The orchestrator stops a program with SIGTERM, which PostgreSQL takes for its smart
/// shutdown: it waits for every session to end, the worker's pooled connections never do, and the orchestrator killed
/// the server about 10 s later, leaving the cluster to be recovered from its WAL at the next start. A shell between
/// the orchestrator and the server could translate the signal, but killed with the server (as a crash kills both) it
/// left the server a zombie whose pid kept the next start out; so the commands signal the server themselves, then
/// hand over to the orchestrator's own, whose SIGTERM a server already in its fast shutdown ignores.
/// </summary>
internal static class LocalPostgresFastShutdown
{
    public static IResourceBuilder<LocalPostgresResource> WithFastShutdownOnStop(this IResourceBuilder<LocalPostgresResource> postgres)
    {
        // The orchestrator adds its lifecycle commands as it prepares the resources, before any of them starts.
        postgres.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(postgres.Resource, (_, _) =>
        {
            ReplaceCommand(postgres.Resource, KnownResourceCommands.StopCommand);
            ReplaceCommand(postgres.Resource, KnownResourceCommands.RestartCommand);
            return Task.CompletedTask;
        });
        return postgres;
    }

    // In place, since commands are looked up by name and a second one of the same name is refused; once, since the
    // event comes again at each start. Every property is carried over but Progress, which has no public setter and
    // which the orchestrator's lifecycle commands leave null.
    private static void ReplaceCommand(LocalPostgresResource postgres, string name)
    {
        var annotations = postgres.Annotations;
        for (var index = 0; index < annotations.Count; index++)
        {
            if (annotations[index] is ResourceCommandAnnotation command && command.Name == name
                && command.ExecuteCommand.Target is not FastShutdownFirst)
            {
                annotations[index] = new ResourceCommandAnnotation(
                    command.Name,
                    command.DisplayName,
                    command.UpdateState,
                    new FastShutdownFirst(command.ExecuteCommand).ExecuteAsync,
                    command.DisplayDescription,
                    command.Arguments,
                    command.ConfirmationMessage,
                    command.IconName,
                    command.IconVariant,
                    command.IsHighlighted,
                    command.Visibility,
                    command.ValidateArguments);
            }
        }
    }

    private sealed class FastShutdownFirst(Func<ExecuteCommandContext, Task<ExecuteCommandResult>> orchestratorCommand)
    {
        private const int SigInt = 2;

        public Task<ExecuteCommandResult> ExecuteAsync(ExecuteCommandContext context)
        {
            if (ServerProcess(context) is { } pid)
            {
                _ = Signal(pid, SigInt);
            }

            return orchestratorCommand(context);
        }

        // The process the orchestrator started and reports as running: the postmaster itself, since setpriv replaces
        // itself with the server. A stopped resource has none, and the orchestrator's command alone is left to act.
        private static int? ServerProcess(ExecuteCommandContext context)
        {
            var notifications = context.Services.GetRequiredService<ResourceNotificationService>();
            return notifications.TryGetCurrentState(context.ResourceName, out var current)
                && current.Snapshot.State?.Text == KnownResourceStates.Running
                && current.Snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value is { } value
                && Convert.ToInt32(value, CultureInfo.InvariantCulture) is > 0 and var pid
                ? pid
                : null;
        }

        // .NET sends no signal but SIGKILL. SIGINT is PostgreSQL's request for a fast shutdown; should it fail (the
        // server gone already), the orchestrator's stop follows all the same.
        [DllImport("libc", EntryPoint = "kill")]
        private static extern int Signal(int pid, int signal);
    }
}
