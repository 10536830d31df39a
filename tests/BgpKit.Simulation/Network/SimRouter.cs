using System.Net;
using BgpKit.MetalLb.Kubernetes.Reconcile;

namespace BgpKit.Simulation.Network;

/// <summary>
/// A router as the cluster sees it: per node, the connection it holds and that node's Adj-RIB-In. A connection
/// that ends with a NOTIFICATION or by hold timer takes the node's routes with it; one that ends without a
/// NOTIFICATION when graceful restart was negotiated keeps them as stale (RFC 4724 section 4.2) until the
/// node's new connection sends End-of-RIB or the restart time runs out. A new OPEN from a node replaces its
/// old connection (the collision a restarted speaker causes).
/// </summary>
internal sealed class SimRouter(string name, IPAddress address, TimeProvider time)
{
    /// <summary>FRR's default graceful restart time.</summary>
    public static readonly TimeSpan RestartTime = TimeSpan.FromSeconds(120);

    private readonly SortedDictionary<string, Connection> _current = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SortedDictionary<string, RibEntry>> _rib = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _staleUntil = new(StringComparer.Ordinal);

    public string Name { get; } = name;
    public IPAddress Address { get; } = address;

    /// <summary>Each node's routes as received (stale ones included), by prefix text.</summary>
    public IReadOnlyDictionary<string, SortedDictionary<string, RibEntry>> Rib => _rib;

    public bool HasSession(string node) => _current.ContainsKey(node);

    public void Receive(Connection connection, BgpMessage message, Action<string> trace)
    {
        var node = connection.Node;
        if (message.Kind == MessageKind.Open)
        {
            if (_current.TryGetValue(node, out var old))
            {
                trace($"{Name}: OPEN from {node} #{connection.Id} replaces #{old.Id}");
                Lost(old, graceful: old.GracefulRestart && connection.GracefulRestart, trace);
                // The router closes the connection it gave up (collision, RFC 4271 section 6.8): the speaker's side of it ends too.
                old.Dead = true;
                old.OnDead?.Invoke();
            }
            _current[node] = connection;
            return;
        }
        if (!_current.TryGetValue(node, out var current) || current != connection)
        {
            return; // A message of a connection the router already dropped.
        }
        var rib = RibOf(node);
        switch (message.Kind)
        {
            case MessageKind.Update:
                var route = message.Route!;
                rib[route.Prefix.ToString()] = new RibEntry(route, Stale: false);
                break;
            case MessageKind.Withdraw:
                rib.Remove(message.Prefix!.Value.ToString());
                break;
            case MessageKind.EndOfRib:
                foreach (var stale in rib.Where(p => p.Value.Stale).Select(p => p.Key).ToArray())
                {
                    rib.Remove(stale);
                }
                _staleUntil.Remove(node);
                break;
            case MessageKind.Close:
                Lost(connection, graceful: !message.Notification && connection.GracefulRestart, trace);
                break;
        }
    }

    /// <summary>The node's connection ended: its routes go, or stay stale with graceful restart.</summary>
    public void Lost(Connection connection, bool graceful, Action<string> trace)
    {
        if (!_current.TryGetValue(connection.Node, out var current) || current != connection)
        {
            return;
        }
        _current.Remove(connection.Node);
        var rib = RibOf(connection.Node);
        if (graceful)
        {
            foreach (var key in rib.Keys.ToArray())
            {
                rib[key] = rib[key] with { Stale = true };
            }
            _staleUntil[connection.Node] = time.GetTimestamp() + (long)(RestartTime.TotalSeconds * time.TimestampFrequency);
            trace($"{Name}: {connection.Node} #{connection.Id} gone, {rib.Count} routes kept stale (graceful restart)");
        }
        else
        {
            trace($"{Name}: {connection.Node} #{connection.Id} gone, {rib.Count} routes withdrawn");
            rib.Clear();
        }
    }

    /// <summary>Restart timers that ran out drop their stale routes.</summary>
    public void Tick(Action<string> trace)
    {
        var now = time.GetTimestamp();
        foreach (var (node, until) in _staleUntil.ToArray())
        {
            if (now >= until)
            {
                var rib = RibOf(node);
                foreach (var stale in rib.Where(p => p.Value.Stale).Select(p => p.Key).ToArray())
                {
                    rib.Remove(stale);
                }
                _staleUntil.Remove(node);
                trace($"{Name}: restart time of {node} ran out, stale routes dropped");
            }
        }
    }

    private SortedDictionary<string, RibEntry> RibOf(string node)
    {
        if (!_rib.TryGetValue(node, out var rib))
        {
            rib = new SortedDictionary<string, RibEntry>(StringComparer.Ordinal);
            _rib[node] = rib;
        }
        return rib;
    }
}

/// <summary>A received route; stale while its sender restarts.</summary>
internal sealed record RibEntry(RouteIntent Route, bool Stale);
