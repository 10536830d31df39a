using System.CommandLine;
using System.Runtime.InteropServices;

namespace BgpKit.Cli.Speaker;

/// <summary>
/// Runs a long-lived role (speaker, controller) until SIGTERM (Kubernetes, systemd) or SIGINT
/// (Ctrl+C), which cancel it so that it stops gracefully instead of being killed; a failure to
/// listen is one line on stderr and exit code 1.
/// </summary>
internal static class UntilSignal
{
    public static async Task<int> RunAsync(ParseResult parse, string command, Func<CancellationToken, Task> run, CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
        try
        {
            await run(stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.HttpListenerException or System.Net.Sockets.SocketException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"bgpkit {command}: cannot listen: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        return 0;
    }
}
