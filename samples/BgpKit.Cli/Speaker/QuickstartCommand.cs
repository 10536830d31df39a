using System.CommandLine;
using System.Globalization;
using System.Net;
using BgpKit.Bgp.Fsm;
using BgpKit.Cli.Show;
using BgpKit.MetalLb.Kubernetes;
using BgpKit.MetalLb.Kubernetes.Status;
using BgpKit.MetalLb.Model;
using Microsoft.Extensions.Logging;

namespace BgpKit.Cli.Speaker;

/// <summary>
/// <c>bgpkit quickstart</c>: runs <c>bgpkit speaker</c>'s host on the bundled MetalLB example and, as
/// the "router", a second BgpKit speaker in the same process that listens where the example's
/// BGPPeer points. A real BGP session over loopback TCP, no router to install. Prints the session
/// and what the router received, then exits 0 (1 if that did not happen within the time limit).
/// </summary>
internal static class QuickstartCommand
{
    private const string Node = "quickstart-node";

    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "manifest directory (default: samples/quickstart/manifests)" };
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for the routes", DefaultValueFactory = _ => 60 };
        var logLevel = new Option<string>("--log-level") { Description = "all, debug, info, warn, error or none", DefaultValueFactory = _ => "error" };
        var command = new Command("quickstart", "Run the speaker on the bundled example against a second BgpKit speaker as the router") { config, timeout, logLevel };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var directory = parse.GetValue(config) ?? FindExample();
            if (directory is null || !Directory.Exists(directory))
            {
                await error.WriteLineAsync("bgpkit quickstart: samples/quickstart/manifests not found; run from the repository root or pass --config DIR").ConfigureAwait(false);
                return 2;
            }
            using var loggers = ConsoleLogging.Create(ConsoleLogging.Parse(parse.GetValue(logLevel)!));
            return await RunAsync(Path.GetFullPath(directory), TimeSpan.FromSeconds(parse.GetValue(timeout)), loggers, output, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static string? FindExample()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "quickstart", "manifests");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    internal static async Task<int> RunAsync(string directory, TimeSpan timeout, ILoggerFactory loggers, TextWriter output, CancellationToken cancellationToken)
    {
        // Where the router must listen: the plan of the example says (BGPPeer peerAddress/peerPort, sourceAddress).
        var plan = MetalLbPlanner.Plan(ManifestSet.Load([directory]), new PlanOptions { Node = Node });
        if (!plan.Valid || plan.Nodes.Single().Sessions.Count == 0)
        {
            await output.WriteLineAsync("The example's manifests are not valid:").ConfigureAwait(false);
            foreach (var problem in plan.Errors)
            {
                await output.WriteLineAsync("  " + problem).ConfigureAwait(false);
            }
            return 1;
        }
        var session = plan.Nodes.Single().Sessions[0];
        var expected = plan.Nodes.Single().Announcements.Where(a => a.Peer == session.Peer).Select(a => a.Prefix.ToString()).ToHashSet();
        var speakerAddress = session.SourceAddress ?? IPAddress.Loopback;

        await output.WriteLineAsync($"Manifests: {directory}").ConfigureAwait(false);
        await output.WriteLineAsync($"Router: a second BgpKit speaker, AS {session.PeerAsn}, listening on {session.Address}:{session.Port}").ConfigureAwait(false);
        await output.WriteLineAsync($"Speaker: node {Node}, AS {session.MyAsn}, from {speakerAddress}; {expected.Count} routes planned for peer {session.Peer}").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);

        await using var router = new BgpSpeaker(new BgpSpeakerOptions
        {
            LocalAs = session.PeerAsn ?? session.MyAsn,
            RouterId = session.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? session.Address : IPAddress.Parse("127.0.0.2"),
            ListenAddress = session.Address,
            ListenPort = session.Port,
            LoggerFactory = loggers,
        });
        await router.StartAsync(cancellationToken).ConfigureAwait(false);
        await router.AddPeerAsync(new BgpPeerOptions
        {
            Address = speakerAddress,
            RemoteAs = session.MyAsn,
            KeepAdjRibIn = true,
            HoldTime = session.HoldTime,
            Transport = new TransportOptions { Passive = true, LocalAddress = session.Address },
        }).ConfigureAwait(false);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var host = new SpeakerHost(new SpeakerHostOptions
        {
            Node = Node,
            ConfigPaths = [directory],
            BgpListen = null,
            StatusEndPoint = null,
            LoggerFactory = loggers,
        });
        var running = host.RunAsync(stop.Token);

        var deadline = DateTimeOffset.UtcNow + timeout;
        IReadOnlyList<ReceivedRoute> received = [];
        var established = false;
        while (DateTimeOffset.UtcNow < deadline && !running.IsCompleted)
        {
            established = router.GetStatus(speakerAddress).State == SessionState.Established;
            received = established ? router.GetReceivedRoutes(speakerAddress).Where(r => !r.Withdrawn).ToList() : [];
            if (established && received.Select(r => r.Prefix.ToString()).ToHashSet().SetEquals(expected))
            {
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }

        await output.WriteLineAsync("Speaker's view (bgpkit show bgp summary):").ConfigureAwait(false);
        await output.WriteLineAsync(BgpTables.Summary(host.Status.BgpSummary())).ConfigureAwait(false);
        await output.WriteLineAsync("What the router received:").ConfigureAwait(false);
        await output.WriteLineAsync(BgpTables.Routes(received.Select(r => View($"speaker {speakerAddress}", r)).ToList())).ConfigureAwait(false);

        await stop.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);

        var ok = established && received.Select(r => r.Prefix.ToString()).ToHashSet().SetEquals(expected);
        await output.WriteLineAsync(ok
            ? $"OK: session Established and the router received all {expected.Count} planned routes."
            : $"FAILED: session {(established ? "Established" : "not Established")}, router has {received.Count} of {expected.Count} planned routes.").ConfigureAwait(false);
        return ok ? 0 : 1;
    }

    private static BgpRouteView View(string peer, ReceivedRoute route)
    {
        var a = route.Attributes!;
        return new BgpRouteView(peer, route.Prefix.ToString(), "received", a.NextHopAddress?.ToString() ?? string.Empty,
            a.LocalPref, a.MultiExitDisc, a.AsPath?.ToString() ?? string.Empty,
            a.Communities.Select(c => c.ToString()).ToArray(),
            a.LargeCommunities.Select(c => c.ToString()).ToArray());
    }
}
