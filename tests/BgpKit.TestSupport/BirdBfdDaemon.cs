namespace BgpKit.TestSupport;

/// <summary>
/// BIRD 2.0 running only a BFD protocol (named <c>bfd1</c>) for one test, optionally inside a network namespace.
/// BIRD binds 0.0.0.0:3784 and [::]:3784 (and 4784 for multihop) without letting others share them, and refuses
/// a single-hop neighbor on 127.0.0.0/8 ("Invalid remote address"), so single-hop sessions need a namespace with
/// a veth pair (<see cref="NetNamespace"/>). Passwords live only in the config file in the daemon's temp directory.
/// <code>
/// await using var bird = await BirdBfdDaemon.StartAsync("interface \"*\" { interval 100 ms; };\nneighbor 10.0.0.1 local 10.0.0.2;", ns.Name);
/// var state = bird.SessionState("10.0.0.1");   // "Up", "Down", "Init", "AdminDown", or null
/// </code>
/// </summary>
public sealed class BirdBfdDaemon : PeerDaemon
{
    private readonly string? _netns;
    private string _body;

    private BirdBfdDaemon(string body, string? netns) : base("bird-bfd")
    {
        _body = body;
        _netns = netns;
    }

    /// <summary>The control socket birdc talks to.</summary>
    public string ControlSocket => Path.Combine(Directory, "bird.ctl");

    private string ConfigPath => Path.Combine(Directory, "bird.conf");

    /// <summary>
    /// Starts BIRD with <paramref name="body"/> as the inside of <c>protocol bfd bfd1 { ... }</c>
    /// (interface and multihop blocks, neighbor statements), in namespace <paramref name="netns"/> when given.
    /// </summary>
    public static async Task<BirdBfdDaemon> StartAsync(string body, string? netns = null)
    {
        var bird = new BirdBfdDaemon(body, netns);
        try
        {
            await bird.LaunchAsync().ConfigureAwait(false);
            return bird;
        }
        catch
        {
            await bird.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Replaces the protocol body and applies it with <c>birdc configure</c> (BIRD keeps its sessions where it can).</summary>
    public void Reconfigure(string body)
    {
        _body = body;
        WriteConfig();
        var answer = Birdc("configure");
        if (!answer.Contains("Reconfigured", StringComparison.Ordinal) && !answer.Contains("Reconfiguration in progress", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("birdc configure: " + answer);
        }
    }

    /// <inheritdoc />
    protected override async Task LaunchAsync()
    {
        WriteConfig();
        Run("bird", "-p", "-c", ConfigPath);
        var bird = $"bird -f -c {ConfigPath} -s {ControlSocket} -P {Directory}/bird.pid";
        // `ip netns exec` joins the namespace and then execs BIRD, so the pid we hold is BIRD's.
        Spawn(_netns is null ? bird : $"ip netns exec {_netns} {bird}");
        await Poll.UntilAsync(() => IsRunning && Birdc("show status").Contains("Daemon is up", StringComparison.Ordinal), "BIRD to answer birdc").ConfigureAwait(false);
    }

    private void WriteConfig() => File.WriteAllText(ConfigPath, $$"""
        router id 192.0.2.1;
        log "{{LogPath}}" all;
        protocol device { scan time 1; }
        protocol bfd bfd1 {
          debug { states, events };
        {{_body}}
        }

        """);

    /// <summary>Runs one birdc command and returns its output.</summary>
    public string Birdc(string command)
    {
        var args = new List<string> { "-s", ControlSocket };
        args.AddRange(command.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return Run("birdc", args.ToArray());
    }

    /// <summary>One row of <c>show bfd sessions</c>: interface is "---" for multihop; interval (our transmit) and timeout (detection time) in seconds as BIRD prints them.</summary>
    public sealed record Session(string Address, string Interface, string State, string Interval, string Timeout);

    /// <summary>The rows of <c>show bfd sessions</c>.</summary>
    public IReadOnlyList<Session> Sessions()
    {
        // IP address   Interface  State   Since          Interval  Timeout
        // 10.0.0.1     veth0      Up      20:41:09.066   0.100     0.300
        var rows = new List<Session>();
        foreach (var line in Birdc("show bfd sessions").Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 6 && System.Net.IPAddress.TryParse(f[0], out _))
            {
                rows.Add(new Session(f[0], f[1], f[2], f[^2], f[^1]));
            }
        }
        return rows;
    }

    /// <summary>BIRD's session to <paramref name="address"/> (single-hop or multihop), or null when there is none.</summary>
    public Session? FindSession(string address, bool multihop = false) =>
        Sessions().FirstOrDefault(s => s.Address == address && (s.Interface == "---") == multihop);

    /// <summary>BIRD's state of the session to <paramref name="address"/> ("Up", "Down", "Init", "AdminDown"), or null when there is none.</summary>
    public string? SessionState(string address, bool multihop = false) => FindSession(address, multihop)?.State;
}
