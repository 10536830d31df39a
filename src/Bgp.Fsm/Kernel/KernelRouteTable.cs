using System.Diagnostics.Metrics;
using System.Net;

namespace BgpKit.Bgp.Fsm.Kernel;

/// <summary>
/// Installs routes into the Linux kernel's routing tables over rtnetlink (rtnetlink(7)), in the network namespace
/// of the thread that created it. Give it the whole set of routes wanted (table and prefix to next hops) with
/// <see cref="Synchronize"/>: it writes only the difference, a prefix with several next hops as one multipath
/// (ECMP) route. Every route carries <see cref="KernelRouteTableOptions.Protocol"/>; <see cref="Flush"/> removes
/// every route with that mark (a crashed run's leftovers at start, ours at exit), and nothing else is ever touched:
/// a new route is added with NLM_F_EXCL, so a route of another owner at the same place is reported, not replaced.
/// Refusals come back as <see cref="KernelRouteException"/> values naming the route, and are counted
/// (<c>kernel_route_errors_total</c> on the <c>BgpKit.Bgp.Kernel</c> meter). Calls are serialized; they block for one
/// netlink round trip per change.
/// <code>
/// using var kernel = new KernelRouteTable();
/// kernel.Flush();
/// var errors = kernel.Synchronize(new Dictionary&lt;KernelRouteKey, IReadOnlyCollection&lt;IPAddress&gt;&gt;
/// {
///     [new(KernelRouteTable.MainTable, IPNetwork.Parse("198.51.100.0/24"))] = [IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.2")],
/// });
/// </code>
/// </summary>
public sealed class KernelRouteTable : IDisposable
{
    /// <summary>RTPROT_BGP.</summary>
    public const byte DefaultProtocol = 186;

    /// <summary>RT_TABLE_MAIN, the table <c>ip route</c> shows.</summary>
    public const uint MainTable = 254;

    private const int Esrch = 3;
    private const int Eexist = 17;

    private readonly KernelRouteTableOptions _options;
    private readonly Lock _gate = new();
    private readonly NetlinkRouteSocket _socket;
    private readonly Meter _meter;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _changes;
    private readonly Dictionary<KernelRouteKey, IPAddress[]> _installed = [];
    private bool _disposed;

    /// <summary>Opens the rtnetlink socket; throws <see cref="KernelRouteException"/> when there is none (not Linux).</summary>
    public KernelRouteTable(KernelRouteTableOptions? options = null)
    {
        _options = options ?? new KernelRouteTableOptions();
        _socket = new NetlinkRouteSocket(_options.ReplyTimeout);
        _meter = _options.MeterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _errors = _meter.CreateCounter<long>("kernel_route_errors_total", "{error}", "Route changes the kernel refused (or netlink failures), by operation");
        _changes = _meter.CreateCounter<long>("kernel_route_changes_total", "{change}", "Routes added, replaced and deleted in the kernel, by operation");
        _meter.CreateObservableGauge("kernel_routes", () => { lock (_gate) { return _installed.Count; } }, "{route}", "Routes installed in the kernel (a multipath route counts once)");
    }

    /// <summary>The meter's name.</summary>
    public const string MeterName = "BgpKit.Bgp.Kernel";

    /// <summary>The protocol mark of our routes.</summary>
    public byte Protocol => _options.Protocol;

    /// <summary>The routes installed now, with their next hops (sorted).</summary>
    public IReadOnlyDictionary<KernelRouteKey, IReadOnlyList<IPAddress>> Installed
    {
        get
        {
            lock (_gate)
            {
                return _installed.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<IPAddress>)kv.Value);
            }
        }
    }

    /// <summary>
    /// Makes the kernel hold exactly <paramref name="desired"/> of our routes: adds the new, replaces those whose next
    /// hops changed, deletes those no longer wanted (or wanted with no next hop). Returns what the kernel refused
    /// (each names its route); a refused route is tried again at the next call.
    /// </summary>
    public IReadOnlyList<KernelRouteException> Synchronize(IReadOnlyDictionary<KernelRouteKey, IReadOnlyCollection<IPAddress>> desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var wanted = desired.ToDictionary(kv => kv.Key, kv => KernelRoutePlan.Canonical(kv.Value));
        var errors = new List<KernelRouteException>();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var change in KernelRoutePlan.Diff(_installed, wanted))
            {
                if (Apply(change) is { } error)
                {
                    errors.Add(error);
                }
            }
        }
        return errors;
    }

    /// <summary>
    /// Removes every route in the namespace (any table, IPv4 and IPv6) whose protocol is ours, and forgets what was
    /// installed; returns how many were removed. Throws <see cref="KernelRouteException"/> when the kernel cannot be
    /// asked (the routes it could not delete are returned by no call: they stay for the next flush).
    /// </summary>
    public int Flush()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var removed = 0;
            // IPv6 can list a multipath route as one entry per next hop; a second round finds any the first missed.
            for (var round = 0; round < 3; round++)
            {
                var found = Dump(4).Concat(Dump(6)).Select(r => new KernelRouteKey(r.Table, r.Prefix)).Distinct().ToList();
                if (found.Count == 0)
                {
                    break;
                }
                foreach (var key in found)
                {
                    var ack = Request((b, sequence) => RouteMessage.WriteDeleteRoute(b, sequence, key.Prefix, key.Table, _options.Protocol), RouteMessage.HeaderLength + RouteMessage.RtmsgLength + 32, key);
                    if (ack.Errno == 0)
                    {
                        removed++;
                        _changes.Add(1, new KeyValuePair<string, object?>("operation", "delete"));
                    }
                    else if (ack.Errno != Esrch)
                    {
                        _errors.Add(1, new KeyValuePair<string, object?>("operation", "flush"));
                    }
                }
            }
            _installed.Clear();
            return removed;
        }
    }

    /// <summary>
    /// The routing table of VRF device <paramref name="vrf"/> (IFLA_VRF_TABLE). Throws <see cref="KernelRouteException"/>
    /// naming the device when there is no such device (ENODEV) or it is not a VRF.
    /// </summary>
    public uint LookupVrfTable(string vrf)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vrf);
        if (System.Text.Encoding.UTF8.GetByteCount(vrf) > 15)
        {
            throw new KernelRouteException($"VRF \"{vrf}\": a device name has at most 15 bytes", 0, null, null) { Vrf = vrf };
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var sequence = _socket.NextSequence();
            var request = new byte[64];
            var length = LinkMessage.WriteGetLink(request, sequence, vrf);
            if (!_socket.Send(request.AsSpan(0, length), out var sendErrno))
            {
                throw new KernelRouteException($"VRF \"{vrf}\": netlink send failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(sendErrno)}", sendErrno, null, null) { Vrf = vrf };
            }
            for (var reads = 0; reads < 64; reads++)
            {
                var replies = _socket.Receive(out var errno);
                if (replies.IsEmpty)
                {
                    throw new KernelRouteException($"VRF \"{vrf}\": no answer from the kernel ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})", errno, null, null) { Vrf = vrf };
                }
                switch (LinkMessage.ReadVrfTable(replies, sequence, out var table, out var error))
                {
                    case LinkMessage.Outcome.Vrf:
                        return table;
                    case LinkMessage.Outcome.NotVrf:
                        throw new KernelRouteException($"VRF \"{vrf}\": the device is not a VRF", 0, null, null) { Vrf = vrf };
                    case LinkMessage.Outcome.Error:
                        throw new KernelRouteException($"VRF \"{vrf}\": {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error)}", error, null, null) { Vrf = vrf };
                }
            }
            throw new KernelRouteException($"VRF \"{vrf}\": no answer from the kernel", 0, null, null) { Vrf = vrf };
        }
    }

    /// <summary>Closes the socket. The routes stay: call <see cref="Flush"/> first to remove them.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _socket.Dispose();
        }
        _meter.Dispose();
    }

    private KernelRouteException? Apply(KernelRoutePlan.Change change)
    {
        var key = change.Key;
        string operation;
        RouteMessage.Ack ack;
        if (change.NextHops is not { } hops)
        {
            operation = "delete";
            ack = Request((b, sequence) => RouteMessage.WriteDeleteRoute(b, sequence, key.Prefix, key.Table, _options.Protocol), RouteMessage.HeaderLength + RouteMessage.RtmsgLength + 32, key);
            if (ack.Errno is 0 or Esrch)
            {
                // ESRCH: someone removed it already; either way it is gone.
                _installed.Remove(key);
                _changes.Add(1, new KeyValuePair<string, object?>("operation", operation));
                return null;
            }
        }
        else
        {
            operation = change.Replace ? "replace" : "add";
            ack = Request((b, sequence) => RouteMessage.WriteNewRoute(b, sequence, key.Prefix, hops, key.Table, _options.Protocol, _options.Metric, change.Replace),
                RouteMessage.MaxNewRouteLength(hops.Count), key);
            if (ack.Errno == 0)
            {
                _installed[key] = [.. hops];
                _changes.Add(1, new KeyValuePair<string, object?>("operation", operation));
                return null;
            }
        }
        _errors.Add(1, new KeyValuePair<string, object?>("operation", operation));
        var reason = ack.Message ?? System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(ack.Errno);
        if (ack.Errno == Eexist && !change.Replace)
        {
            reason = "a route of another protocol is already there (left alone)";
        }
        var via = change.NextHops is { } h ? " via " + string.Join(", ", h.Select(a => a.ToString())) : string.Empty;
        return new KernelRouteException($"{operation} route {key}{via}: {reason}", ack.Errno, key.Prefix, key.Table);
    }

    // Writes one request with a fresh sequence number, sends it and waits for its ACK.
    private RouteMessage.Ack Request(WriteRequest write, int maxLength, KernelRouteKey? key)
    {
        var sequence = _socket.NextSequence();
        var buffer = new byte[maxLength];
        var length = write(buffer, sequence);
        if (!_socket.Send(buffer.AsSpan(0, length), out var sendErrno))
        {
            return new RouteMessage.Ack(sendErrno, "netlink send failed");
        }
        for (var reads = 0; reads < 64; reads++)
        {
            var replies = _socket.Receive(out var errno);
            if (replies.IsEmpty)
            {
                return new RouteMessage.Ack(errno == 0 ? 110 : errno, $"no answer from the kernel{(key is { } k ? " for " + k : string.Empty)}");
            }
            if (RouteMessage.TryReadAck(replies, sequence, out var ack))
            {
                return ack;
            }
        }
        return new RouteMessage.Ack(110, "no answer from the kernel");
    }

    private delegate int WriteRequest(Span<byte> buffer, uint sequence);

    private List<RouteMessage.DumpedRoute> Dump(int version)
    {
        var sequence = _socket.NextSequence();
        var request = new byte[RouteMessage.HeaderLength + RouteMessage.RtmsgLength];
        var length = RouteMessage.WriteDumpRequest(request, sequence, version == 6 ? (byte)10 : (byte)2);
        if (!_socket.Send(request.AsSpan(0, length), out var sendErrno))
        {
            throw new KernelRouteException($"route dump: netlink send failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(sendErrno)}", sendErrno, null, null);
        }
        var routes = new List<RouteMessage.DumpedRoute>();
        // Bounded: a dump ends with NLMSG_DONE; a lost one ends at the receive timeout.
        for (var reads = 0; reads < 100_000; reads++)
        {
            var replies = _socket.Receive(out var errno);
            if (replies.IsEmpty)
            {
                throw new KernelRouteException($"route dump: no answer from the kernel ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})", errno, null, null);
            }
            if (RouteMessage.CollectDump(replies, sequence, _options.Protocol, routes))
            {
                break;
            }
        }
        return routes;
    }
}
