using System.Net;
using BgpKit.MetalLb.Kubernetes.Reconcile;

namespace BgpKit.Simulation.Network;

/// <summary>
/// The links between nodes and routers and the BGP connections over them, at the level of BGP messages (OPEN,
/// UPDATE, withdrawal, End-of-RIB, close with or without NOTIFICATION), not octets: the wire and the FSM are
/// proven against FRR, BIRD, GoBGP and ExaBGP by the interop tests. A link can be cut (messages wait, as TCP
/// retransmits them) and slowed; a connection whose link stays cut for its hold time dies at both ends
/// (RFC 4271 section 6.5: the router drops the node's routes). Messages on one connection arrive in order.
/// </summary>
internal sealed class SimNetwork
{
    private readonly TimeProvider _time;
    private readonly SortedDictionary<string, Link> _links = new(StringComparer.Ordinal);
    private readonly List<Connection> _connections = [];
    private long _ids;

    public SimNetwork(TimeProvider time, IEnumerable<SimRouter> routers)
    {
        _time = time;
        Routers = routers.ToArray();
    }

    public IReadOnlyList<SimRouter> Routers { get; }

    public long Now => _time.GetTimestamp();

    public SimRouter? RouterAt(IPAddress address) => Routers.FirstOrDefault(r => r.Address.Equals(address));

    public Link LinkOf(string node, SimRouter router)
    {
        var key = node + "|" + router.Name;
        if (!_links.TryGetValue(key, out var link))
        {
            link = new Link(node, router.Name);
            _links[key] = link;
        }
        return link;
    }

    public IEnumerable<Link> Links => _links.Values;

    public Connection Open(string node, SimRouter router, PeerIntent peer)
    {
        var connection = new Connection(++_ids, node, router, LinkOf(node, router), peer.HoldTime, peer.GracefulRestart);
        _connections.Add(connection);
        Send(connection, new BgpMessage(MessageKind.Open, null, null));
        return connection;
    }

    public void Send(Connection connection, BgpMessage message)
    {
        if (connection.Dead)
        {
            return;
        }
        connection.Queue.Enqueue((Now + Ticks(connection.Link.Delay), message));
    }

    /// <summary>Hold timers of cut links, then every message that is due, in connection order.</summary>
    public void Tick(Action<string> trace)
    {
        var now = Now;
        foreach (var connection in _connections.ToArray())
        {
            var link = connection.Link;
            if (!link.Up && connection.HoldTime > TimeSpan.Zero && link.DownSince is { } since && now - since >= Ticks(connection.HoldTime))
            {
                trace($"{connection.Node}->{connection.Router.Name} #{connection.Id}: hold timer expired");
                connection.Dead = true;
                connection.Router.Lost(connection, graceful: false, trace);
                connection.OnDead?.Invoke();
                _connections.Remove(connection);
                continue;
            }
            while (link.Up && connection.Queue.Count > 0 && connection.Queue.Peek().At <= now)
            {
                var (_, message) = connection.Queue.Dequeue();
                connection.Router.Receive(connection, message, trace);
                if (message.Kind == MessageKind.Close)
                {
                    connection.Dead = true;
                    _connections.Remove(connection);
                    break;
                }
            }
        }
    }

    /// <summary>Whether every message sent has arrived (and no connection waits on a cut link).</summary>
    public bool Quiet => _connections.All(c => c.Queue.Count == 0);

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}

/// <summary>The path between one node and one router.</summary>
internal sealed class Link(string node, string router)
{
    public string Node { get; } = node;
    public string Router { get; } = router;
    public bool Up { get; private set; } = true;
    public long? DownSince { get; private set; }
    public TimeSpan Delay { get; set; }

    public void Cut(long now)
    {
        if (Up)
        {
            Up = false;
            DownSince = now;
        }
    }

    public void Heal()
    {
        Up = true;
        DownSince = null;
    }
}

internal enum MessageKind
{
    Open,
    Update,
    Withdraw,
    EndOfRib,
    Close,
}

/// <summary>One BGP message on a connection; a Close carries whether a NOTIFICATION was sent (false: the TCP connection just ended).</summary>
internal sealed record BgpMessage(MessageKind Kind, RouteIntent? Route, IPNetwork? Prefix, bool Notification = true);

/// <summary>One BGP connection (one TCP connection) from a node's speaker to a router.</summary>
internal sealed class Connection(long id, string node, SimRouter router, Link link, TimeSpan holdTime, bool gracefulRestart)
{
    public long Id { get; } = id;
    public string Node { get; } = node;
    public SimRouter Router { get; } = router;
    public Link Link { get; } = link;
    public TimeSpan HoldTime { get; } = holdTime;
    public bool GracefulRestart { get; } = gracefulRestart;
    public Queue<(long At, BgpMessage Message)> Queue { get; } = new();
    public bool Dead { get; set; }

    /// <summary>Called when the hold timer kills it (the speaker's session goes to Idle and reconnects).</summary>
    public Action? OnDead { get; set; }
}
