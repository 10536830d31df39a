using System.Text.Json.Nodes;

namespace BgpKit.TestSupport;

/// <summary>
/// FRR bgpd 8.4 run standalone (no zebra) like <see cref="FrrBgpd"/>, with what that launcher does not offer:
/// inside a network namespace (<c>ip netns exec</c>, which execs bgpd so the pid stays bgpd's), with extra
/// command-line flags (e.g. <c>-K</c>, "graceful restart in progress"), and restarted with a new configuration
/// on the same port (a restarting router that comes back with one route fewer).
/// </summary>
public sealed class FrrBgpdProcess : PeerDaemon
{
    private readonly int _port;
    private readonly string _address;
    private readonly string? _namespace;
    private string _config;
    private string _flags;

    private FrrBgpdProcess(string config, int port, string address, string? netns, string flags) : base("frr")
    {
        _config = config;
        _port = port;
        _address = address;
        _namespace = netns;
        _flags = flags;
    }

    /// <summary>Starts bgpd with <paramref name="config"/> on <paramref name="address"/>:<paramref name="port"/>, inside <paramref name="netns"/> when given.</summary>
    public static async Task<FrrBgpdProcess> StartAsync(string config, int port, string address, string? netns = null, string flags = "")
    {
        var frr = new FrrBgpdProcess(config, port, address, netns, flags);
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

    /// <summary>Kills bgpd (SIGKILL) if it runs and starts it again with <paramref name="config"/> and <paramref name="flags"/>.</summary>
    public async Task RestartAsync(string config, string flags = "")
    {
        Kill();
        _config = config;
        _flags = flags;
        await LaunchAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task LaunchAsync()
    {
        var conf = Path.Combine(Directory, "bgpd.conf");
        await File.WriteAllTextAsync(conf, $"log file {LogPath} debugging\ndebug bgp neighbor-events\ndebug bgp graceful-restart\n" + _config).ConfigureAwait(false);
        var prefix = _namespace is null ? "" : $"/usr/sbin/ip netns exec {_namespace} ";
        Spawn($"{prefix}/usr/lib/frr/bgpd -f {conf} -i {Directory}/bgpd.pid -z {Directory}/zserv.api --vty_socket {Directory} -P 0 -Z -S -p {_port} -l {_address} {_flags}");
        await Poll.UntilAsync(() => IsRunning && Vtysh("show bgp summary json").Length > 0, "bgpd to answer vtysh").ConfigureAwait(false);
    }

    /// <summary>Runs one vtysh command against this bgpd and returns its output.</summary>
    public string Vtysh(string command) => Run("vtysh", "--vty_socket", Directory, "-d", "bgpd", "-c", command);

    /// <summary>Runs a <c>... json</c> show command and parses it.</summary>
    public JsonNode ShowJson(string command) => ParseJson(Vtysh(command));

    /// <summary>The neighbor's <c>bgpState</c> ("Established", "Active", ...), or "" when bgpd does not know it yet.</summary>
    public string NeighborState(string neighbor) =>
        ShowJson($"show bgp neighbors {neighbor} json")[neighbor]?["bgpState"]?.GetValue<string>() ?? "";

    /// <summary>Prefixes received from <paramref name="neighbor"/> in the address family (<c>ipv4</c>/<c>ipv6</c>), or -1 before any exist.</summary>
    public int PrefixesReceived(string neighbor, string family = "ipv4")
    {
        var node = ShowJson($"show bgp {family} unicast summary json")["peers"]?[neighbor]?["pfxRcd"];
        return node is null ? -1 : node.GetValue<int>();
    }
}
