using System.CommandLine;
using System.Text.Json;
using BgpKit.Cli.Show;
using BgpKit.MetalLb.Kubernetes.Status;

namespace BgpKit.Cli;

/// <summary>
/// <c>bgpkit show ...</c>: the operator views of a running <c>bgpkit speaker</c>, read from its status
/// endpoint, as FRR-shaped tables or (<c>--json</c>) the endpoint's JSON.
/// </summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table", Recursive = true };
        var status = new Option<string>("--status")
        {
            Description = "the speaker's status endpoint ADDR:PORT",
            DefaultValueFactory = _ => "127.0.0.1:7473",
            Recursive = true,
        };
        var show = new Command("show", "Show a running speaker's sessions, routes, BFD sessions, layer 2 addresses and configuration") { json, status };

        var bgp = new Command("bgp", "BGP sessions and routes");
        var summary = new Command("summary", "One line per BGP session, like vtysh 'show bgp summary'");
        summary.SetAction((parse, ct) => Run<BgpSummaryView>(parse, json, status, "v1/bgp/summary", BgpTables.Summary, ct));
        var neighborName = new Argument<string?>("NAME") { Description = "peer name or address", Arity = ArgumentArity.ZeroOrOne };
        var neighbors = new Command("neighbors", "Everything about each BGP session, like vtysh 'show bgp neighbors'") { neighborName };
        neighbors.SetAction((parse, ct) =>
        {
            var name = parse.GetValue(neighborName);
            var path = "v1/bgp/neighbors" + (name is null ? string.Empty : "?name=" + Uri.EscapeDataString(name));
            return Run<IReadOnlyList<BgpNeighborView>>(parse, json, status, path, BgpTables.Neighbors, ct);
        });
        var peer = new Option<string?>("--peer") { Description = "only this peer's routes" };
        var received = new Option<bool>("--received") { Description = "routes received from peers instead of sent" };
        var routes = new Command("routes", "Routes sent to (or received from) peers") { peer, received };
        routes.SetAction((parse, ct) =>
        {
            var path = "v1/bgp/routes?received=" + (parse.GetValue(received) ? "true" : "false");
            if (parse.GetValue(peer) is { } name)
            {
                path += "&peer=" + Uri.EscapeDataString(name);
            }
            return Run<IReadOnlyList<BgpRouteView>>(parse, json, status, path, BgpTables.Routes, ct);
        });
        bgp.Subcommands.Add(summary);
        bgp.Subcommands.Add(neighbors);
        bgp.Subcommands.Add(routes);

        var bfd = new Command("bfd", "BFD sessions");
        var peers = new Command("peers", "Every BFD session, like vtysh 'show bfd peers'");
        peers.SetAction((parse, ct) => Run<BfdPeersView>(parse, json, status, "v1/bfd/peers", BfdTables.Peers, ct));
        var brief = new Command("brief", "One line per BFD session");
        brief.SetAction((parse, ct) => Run<BfdPeersView>(parse, json, status, "v1/bfd/peers", BfdTables.Brief, ct));
        peers.Subcommands.Add(brief);
        bfd.Subcommands.Add(peers);

        var config = new Command("config", "The plan in force, each service's reason, and the latest change's errors");
        config.SetAction((parse, ct) => Run<ConfigView>(parse, json, status, "v1/config", ConfigTables.Config, ct));

        var l2 = new Command("l2", "Layer 2 mode: each Service address, its owner, the interfaces it is answered on, and why this node owns it or not");
        l2.SetAction((parse, ct) => Run<Layer2View>(parse, json, status, "v1/l2", Layer2Tables.Addresses, ct));

        show.Subcommands.Add(bgp);
        show.Subcommands.Add(l2);
        show.Subcommands.Add(bfd);
        show.Subcommands.Add(config);
        return show;
    }

    private static async Task<int> Run<T>(ParseResult parse, Option<bool> json, Option<string> status, string path, Func<T, string> table, CancellationToken cancellationToken)
    {
        var endPoint = parse.GetValue(status)!;
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        using var client = new StatusClient(endPoint);
        try
        {
            if (parse.GetValue(json))
            {
                await output.WriteAsync(await client.GetRawAsync(path, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteAsync(table(await client.GetAsync<T>(path, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
            }
            return 0;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"bgpkit show: cannot read the speaker's status at {endPoint} ({e.Message}); is 'bgpkit speaker --status {endPoint}' running?").ConfigureAwait(false);
            return 2;
        }
        catch (Exception e) when (e is JsonException or TaskCanceledException)
        {
            await error.WriteLineAsync($"bgpkit show: bad answer from {endPoint}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
