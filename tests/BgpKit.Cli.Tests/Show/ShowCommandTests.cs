using System.CommandLine;
using System.Net;
using BgpKit.Cli;
using BgpKit.MetalLb.Kubernetes.Status;
using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.BgpKit.Cli.Tests.Show;

public sealed class ShowCommandTests
{
    private sealed class OnePeer : ISpeakerStatus
    {
        public BgpSummaryView BgpSummary() => new("node-1", "10.0.0.1", 64513,
            [new BgpPeerSummary("r1", "127.0.0.2", 179, 64512, 64513, "Established", 5, 1, 0, 4, 4, null)]);
        public IReadOnlyList<BgpNeighborView> BgpNeighbors(string? name) => [];
        public IReadOnlyList<BgpRouteView> BgpRoutes(string? peer, bool received) => [];
        public BfdPeersView BfdPeers() => new([]);
        public ConfigView Config() => new("node-1", null, null);
    }

    private sealed class Layer2Owner : ISpeakerStatus
    {
        public BgpSummaryView BgpSummary() => new("node-1", "10.0.0.1", 64513, []);
        public IReadOnlyList<BgpNeighborView> BgpNeighbors(string? name) => [];
        public IReadOnlyList<BgpRouteView> BgpRoutes(string? peer, bool received) => [];
        public BfdPeersView BfdPeers() => new([]);
        public ConfigView Config() => new("node-1", null, null);
        public Layer2View Layer2() => new("node-1", ["node-1", "node-2"],
        [
            new Layer2AddressView("192.0.2.10", "default/web", "node-1", true, ["eth0"], "owner: first of the live candidates in MetalLB's order"),
            new Layer2AddressView("192.0.2.11", "default/db", "node-2", false, [], "not owner: node-2 comes first in MetalLB's order among the live candidates"),
        ]);
    }

    [Fact]
    public async Task Show_l2_prints_each_address_its_owner_interfaces_and_why()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePort.Tcp());
        await using var server = new StatusServer(endPoint, new Layer2Owner(), null, NullLogger.Instance);
        server.Start();

        var table = await Run("show", "l2", "--status", endPoint.ToString());
        Assert.Equal(0, table.Code);
        var lines = table.Out.Split('\n');
        Assert.Equal("Node node-1; live speakers: node-1, node-2", lines[0]);
        Assert.StartsWith("Address", lines[1], StringComparison.Ordinal);
        Assert.Matches(@"^192\.0\.2\.10 +default/web +node-1 +eth0 +owner: first", lines[2]);
        Assert.Matches(@"^192\.0\.2\.11 +default/db +node-2 +- +not owner: node-2 comes first", lines[3]);

        var json = await Run("show", "l2", "--json", "--status", endPoint.ToString());
        Assert.Equal(0, json.Code);
        Assert.Contains("\"answering\": true", json.Out, StringComparison.Ordinal);
        Assert.Contains("\"owner\": \"node-2\"", json.Out, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(ShowCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Summary_table_and_json_from_a_running_status_endpoint()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePort.Tcp());
        await using var server = new StatusServer(endPoint, new OnePeer(), null, NullLogger.Instance);
        server.Start();

        var table = await Run("show", "bgp", "summary", "--status", endPoint.ToString());
        Assert.Equal(0, table.Code);
        Assert.Contains("127.0.0.2                4      64512         4         4 00:00:05            0        1 r1\n", table.Out);

        var json = await Run("show", "bgp", "summary", "--json", "--status", endPoint.ToString());
        Assert.Equal(0, json.Code);
        Assert.Contains("\"prefixesSent\": 1", json.Out);
    }

    [Fact]
    public async Task Unreachable_speaker_is_exit_2_with_a_hint()
    {
        var port = FreePort.Tcp();
        var result = await Run("show", "config", "--status", $"127.0.0.1:{port}");
        Assert.Equal(2, result.Code);
        Assert.Contains("is 'bgpkit speaker --status", result.Err);
    }
}
