using System.Net;
using System.Net.Sockets;
using BgpKit.MetalLb.Model;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Layer2;

/// <summary>Where the speaker's layer 2 decisions go: the wire (<see cref="Layer2Announcer"/>) or a test's recorder.</summary>
internal interface ILayer2Announcer : IDisposable
{
    /// <summary>
    /// Answers for exactly <paramref name="owned"/> from now on (address -> the interfaces allowed), and
    /// announces the newly owned ones (gratuitous ARP, unsolicited NA). Returns, per owned address, the
    /// interfaces it is answered on.
    /// </summary>
    IReadOnlyDictionary<IPAddress, IReadOnlyList<string>> Apply(IReadOnlyDictionary<IPAddress, Layer2Candidate> owned);
}

/// <summary>
/// Runs one <see cref="Layer2Responder"/> per interface that some owned address may use (none while
/// nothing is owned), joins each owned IPv6 address's solicited-node group on those interfaces (so
/// switches and bridges with MLD snooping deliver the solicitations), and sends gratuitous ARP and
/// unsolicited Neighbor Advertisements on takeover. The owned table is swapped whole; responders read it
/// per frame, so an address is dropped at once.
/// </summary>
internal sealed partial class Layer2Announcer : ILayer2Announcer
{
    private readonly Func<IReadOnlyList<Layer2Interface>> _scan;
    private readonly Layer2Metrics _metrics;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Layer2Responder> _responders = new(StringComparer.Ordinal);
    private readonly HashSet<(IPAddress Group, int Index)> _groups = [];
    private readonly Socket? _membership;
    private volatile Dictionary<IPAddress, Layer2Candidate> _owned = [];

    public Layer2Announcer(Layer2Metrics metrics, ILogger logger, Func<IReadOnlyList<Layer2Interface>>? scan = null)
    {
        _scan = scan ?? (() => Layer2Interface.Scan());
        _metrics = metrics;
        _logger = logger;
        try
        {
            _membership = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        }
        catch (SocketException)
        {
            _membership = null; // No IPv6 here: no groups to join either.
        }
    }

    public IReadOnlyDictionary<IPAddress, IReadOnlyList<string>> Apply(IReadOnlyDictionary<IPAddress, Layer2Candidate> owned)
    {
        var interfaces = _scan();
        var previous = _owned;
        var next = owned.ToDictionary(p => p.Key, p => p.Value);
        var used = new Dictionary<IPAddress, IReadOnlyList<string>>();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (address, candidate) in next)
        {
            var on = interfaces.Where(i => candidate.Allows(i.Name) && (address.AddressFamily == AddressFamily.InterNetwork ? i.Arp : i.Ndp)).ToArray();
            used[address] = on.Select(i => i.Name).ToArray();
            wanted.UnionWith(used[address]);
        }
        // The table first: a responder that stops being wanted stops answering before it is closed.
        _owned = next;
        foreach (var name in _responders.Keys.Where(n => !wanted.Contains(n) || !interfaces.Any(i => i.Name == n && i == _responders[n].Interface)).ToArray())
        {
            _responders.Remove(name, out var responder);
            responder!.Dispose();
        }
        foreach (var iface in interfaces.Where(i => wanted.Contains(i.Name) && !_responders.ContainsKey(i.Name)))
        {
            try
            {
                _responders[iface.Name] = Layer2Responder.Start(iface, Owner, _metrics, _logger);
                LogListening(_logger, iface.Name, iface.Mac.ToString());
            }
            catch (Exception e) when (e is InvalidOperationException or SharpPcap.PcapException or DllNotFoundException or TypeInitializationException)
            {
                LogOpenFailed(_logger, iface.Name, e.Message);
            }
        }
        JoinGroups(next, used, interfaces);
        foreach (var (address, names) in used.Where(p => !previous.ContainsKey(p.Key)))
        {
            foreach (var name in names)
            {
                if (_responders.TryGetValue(name, out var responder))
                {
                    responder.SendGratuitous(address);
                }
            }
            LogTakenOver(_logger, address.ToString(), string.Join(",", names));
        }
        foreach (var address in previous.Keys.Where(a => !next.ContainsKey(a)))
        {
            LogReleased(_logger, address.ToString());
        }
        return used;
    }

    private Layer2Candidate? Owner(IPAddress address) => _owned.GetValueOrDefault(address);

    private void JoinGroups(Dictionary<IPAddress, Layer2Candidate> owned, Dictionary<IPAddress, IReadOnlyList<string>> used, IReadOnlyList<Layer2Interface> interfaces)
    {
        if (_membership is null)
        {
            return;
        }
        var wanted = new HashSet<(IPAddress, int)>();
        foreach (var address in owned.Keys.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6))
        {
            foreach (var name in used[address])
            {
                wanted.Add((Layer2FrameWriter.SolicitedNode(address), interfaces.First(i => i.Name == name).Index));
            }
        }
        foreach (var group in _groups.Where(g => !wanted.Contains(g)).ToArray())
        {
            Membership(SocketOptionName.DropMembership, group);
            _groups.Remove(group);
        }
        foreach (var group in wanted.Where(g => !_groups.Contains(g)))
        {
            if (Membership(SocketOptionName.AddMembership, group))
            {
                _groups.Add(group);
            }
        }
    }

    private bool Membership(SocketOptionName option, (IPAddress Group, int Index) group)
    {
        try
        {
            _membership!.SetSocketOption(SocketOptionLevel.IPv6, option, new IPv6MulticastOption(group.Group, group.Index));
            return true;
        }
        catch (SocketException e)
        {
            LogGroupFailed(_logger, group.Group.ToString(), group.Index, e.Message);
            return false;
        }
    }

    public void Dispose()
    {
        _owned = [];
        foreach (var responder in _responders.Values)
        {
            responder.Dispose();
        }
        _responders.Clear();
        _membership?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Layer 2: listening on {Interface} ({Mac})")]
    private static partial void LogListening(ILogger logger, string @interface, string mac);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Layer 2: cannot capture on {Interface}: {Error}")]
    private static partial void LogOpenFailed(ILogger logger, string @interface, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Layer 2: this node now answers for {Address} on {Interfaces}")]
    private static partial void LogTakenOver(ILogger logger, string address, string interfaces);

    [LoggerMessage(Level = LogLevel.Information, Message = "Layer 2: this node no longer answers for {Address}")]
    private static partial void LogReleased(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Layer 2: joining or leaving group {Group} on interface {Index} failed: {Error}")]
    private static partial void LogGroupFailed(ILogger logger, string group, int index, string error);
}
