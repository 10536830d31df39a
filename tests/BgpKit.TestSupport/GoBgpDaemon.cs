using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// GoBGP 3.10 (gobgpd plus the gobgp CLI over its gRPC API) run for one test, per /work/shared/INTEROP.md.
/// <code>
/// await using var gobgp = await GoBgpDaemon.StartAsync(GoBgpDaemon.Config(65002, "127.0.0.2", 1790, "127.0.0.1", 65001, 1791));
/// gobgp.Gobgp("global", "rib", "add", "-a", "ipv4", "10.0.0.0/24");
/// var adjIn = gobgp.GobgpJson("neighbor", "127.0.0.1", "adj-in", "-a", "ipv4");
/// </code>
/// </summary>
public sealed class GoBgpDaemon : PeerDaemon
{
    private readonly string _config;
    private readonly string _apiAddress;

    private GoBgpDaemon(string config, string apiAddress) : base("gobgp")
    {
        _config = config;
        _apiAddress = apiAddress;
        ApiPort = FreePort.Tcp(System.Net.IPAddress.Parse(apiAddress));
    }

    /// <summary>The gRPC API port the gobgp CLI uses.</summary>
    public int ApiPort { get; }

    /// <summary>Starts gobgpd with a TOML <paramref name="config"/>; the API listens on <paramref name="apiAddress"/> and a free port.</summary>
    public static async Task<GoBgpDaemon> StartAsync(string config, string apiAddress = "127.0.0.2")
    {
        var gobgp = new GoBgpDaemon(config, apiAddress);
        try
        {
            await gobgp.LaunchAsync().ConfigureAwait(false);
            return gobgp;
        }
        catch
        {
            await gobgp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A gobgpd.toml with one neighbor; <paramref name="families"/> defaults to ipv4-unicast; <paramref name="neighborExtra"/> is appended to the neighbor.</summary>
    public static string Config(long asn, string routerId, int port, string neighbor, long neighborAs, int neighborPort,
        string[]? families = null, string? neighborExtra = null)
    {
        var afis = string.Concat((families ?? ["ipv4-unicast"]).Select(f => $"""
              [[neighbors.afi-safis]]
                [neighbors.afi-safis.config]
                  afi-safi-name = "{f}"

            """));
        return $"""
            [global.config]
              as = {asn}
              router-id = "{routerId}"
              port = {port}
              local-address-list = ["{routerId}"]
            [[neighbors]]
              [neighbors.config]
                neighbor-address = "{neighbor}"
                peer-as = {neighborAs}
              [neighbors.transport.config]
                local-address = "{routerId}"
                remote-port = {neighborPort}
            {afis}
            {neighborExtra}

            """;
    }

    /// <inheritdoc />
    protected override async Task LaunchAsync()
    {
        var conf = Path.Combine(Directory, "gobgpd.toml");
        await File.WriteAllTextAsync(conf, _config).ConfigureAwait(false);
        Spawn($"gobgpd -f {conf} --api-hosts {_apiAddress}:{ApiPort} --pprof-disable");
        await Poll.UntilAsync(() => IsRunning && Gobgp("global").Length > 0, "gobgpd to answer its API").ConfigureAwait(false);
    }

    /// <summary>Runs the gobgp CLI against this daemon.</summary>
    public string Gobgp(params string[] args)
    {
        var all = new List<string> { "-u", _apiAddress, "-p", ApiPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        all.AddRange(args);
        return Run("gobgp", all.ToArray());
    }

    /// <summary>Runs the gobgp CLI with <c>-j</c> and parses the JSON.</summary>
    public JsonNode GobgpJson(params string[] args) => ParseJson(Gobgp(["-j", .. args]));

    /// <summary>The neighbor's session state as gobgp names it ("established", "active", ...).</summary>
    public string NeighborState(string neighbor)
    {
        var state = GobgpJson("neighbor", neighbor)["state"]?["session_state"];
        // gobgp -j prints the enum number: 1 idle, 2 connect, 3 active, 4 opensent, 5 openconfirm, 6 established.
        return state?.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? state.GetValue<int>() switch { 1 => "idle", 2 => "connect", 3 => "active", 4 => "opensent", 5 => "openconfirm", 6 => "established", var n => n.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : state?.ToString() ?? "";
    }
}
