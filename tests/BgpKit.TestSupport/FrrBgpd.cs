using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// FRR bgpd 8.4 run standalone (no zebra) for one test, per /work/shared/INTEROP.md.
/// <code>
/// await using var frr = await FrrBgpd.StartAsync(FrrBgpd.Config(65002, "127.0.0.2", neighbor: "127.0.0.1", neighborAs: 65001, neighborPort: 1791), port: 1790);
/// var summary = frr.ShowJson("show bgp ipv4 unicast summary json");
/// </code>
/// </summary>
public sealed class FrrBgpd : PeerDaemon
{
    private readonly string _config;
    private readonly int _port;
    private readonly string _address;

    private FrrBgpd(string config, int port, string address) : base("frr")
    {
        _config = config;
        _port = port;
        _address = address;
    }

    /// <summary>The BGP port bgpd listens on.</summary>
    public int Port => _port;

    /// <summary>The address bgpd listens on.</summary>
    public string Address => _address;

    /// <summary>Starts bgpd with <paramref name="config"/> (a full bgpd.conf; a log file line is added) on <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static async Task<FrrBgpd> StartAsync(string config, int port, string address = "127.0.0.2")
    {
        var frr = new FrrBgpd(config, port, address);
        try
        {
            await frr.LaunchAsync().ConfigureAwait(false);
            return frr;
        }
        catch
        {
            await frr.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A bgpd.conf for one eBGP/iBGP neighbor on loopback: no policy required, martian (127.x) next hops allowed.
    /// <paramref name="extra"/> lines go inside <c>router bgp</c> (neighbor options); <paramref name="ipv4"/> and
    /// <paramref name="ipv6"/> inside the address families.
    /// </summary>
    public static string Config(long asn, string routerId, string neighbor, long neighborAs, int neighborPort,
        string? extra = null, string? ipv4 = null, string? ipv6 = null, string? updateSource = null) => $"""
        frr defaults traditional
        router bgp {asn}
         bgp router-id {routerId}
         no bgp ebgp-requires-policy
         no bgp network import-check
         bgp allow-martian-nexthop
         neighbor {neighbor} remote-as {neighborAs}
         neighbor {neighbor} port {neighborPort}
         neighbor {neighbor} update-source {updateSource ?? routerId}
        {extra}
         address-family ipv4 unicast
        {ipv4}
         exit-address-family
         address-family ipv6 unicast
        {ipv6}
         exit-address-family

        """;

    /// <inheritdoc />
    protected override async Task LaunchAsync()
    {
        var conf = Path.Combine(Directory, "bgpd.conf");
        await File.WriteAllTextAsync(conf, $"log file {LogPath} debugging\ndebug bgp neighbor-events\n" + _config).ConfigureAwait(false);
        Spawn($"/usr/lib/frr/bgpd -f {conf} -i {Directory}/bgpd.pid -z {Directory}/zserv.api --vty_socket {Directory} -P 0 -Z -S -p {_port} -l {_address}");
        await Poll.UntilAsync(() => IsRunning && Vtysh("show bgp summary json").Length > 0, "bgpd to answer vtysh").ConfigureAwait(false);
    }

    /// <summary>Runs one vtysh command against this bgpd and returns its output.</summary>
    public string Vtysh(string command) => Run("vtysh", "--vty_socket", Directory, "-d", "bgpd", "-c", command);

    /// <summary>Runs several configuration lines (<c>conf t</c> is implied).</summary>
    public string Configure(params string[] lines)
    {
        var args = new List<string> { "--vty_socket", Directory, "-d", "bgpd", "-c", "configure terminal" };
        foreach (var line in lines)
        {
            args.Add("-c");
            args.Add(line);
        }
        return Run("vtysh", args.ToArray());
    }

    /// <summary>Runs a <c>... json</c> show command and parses it.</summary>
    public JsonNode ShowJson(string command) => ParseJson(Vtysh(command));

    /// <summary>The neighbor's <c>bgpState</c> ("Established", "Active", ...).</summary>
    public string NeighborState(string neighbor) =>
        ShowJson($"show bgp neighbors {neighbor} json")[neighbor]?["bgpState"]?.GetValue<string>() ?? "";

    /// <summary>Prefixes received from <paramref name="neighbor"/> in the address family (<c>ipv4</c>/<c>ipv6</c>), or -1 before any exist.</summary>
    public int PrefixesReceived(string neighbor, string family = "ipv4")
    {
        var node = ShowJson($"show bgp {family} unicast summary json")["peers"]?[neighbor]?["pfxRcd"];
        return node is null ? -1 : node.GetValue<int>();
    }
}
