using System.Net;
using System.Net.Sockets;
using BgpKit.MetalLb.Model;
using Microsoft.Extensions.Logging;
using SharpPcap;
using SharpPcap.LibPcap;

namespace BgpKit.MetalLb.Kubernetes.Layer2;

/// <summary>
/// Answers ARP requests and Neighbor Solicitations on one interface for the addresses this node owns,
/// through libpcap (SharpPcap) with a kernel BPF filter so that the process sees only ARP and
/// Neighbor Solicitations. One reading thread; replies are sent from it. Never answers for an address
/// that the owned table (read on every frame) does not hold for this interface.
/// </summary>
internal sealed partial class Layer2Responder : IDisposable
{
    // ARP, or ICMPv6 type 135 right after a fixed IPv6 header (MetalLB's NDP listener sees the same).
    public const string CaptureFilter = "arp or (icmp6 and ip6[40] == 135)";

    private readonly Layer2Interface _interface;
    private readonly Func<IPAddress, Layer2Candidate?> _owner;
    private readonly Layer2Metrics _metrics;
    private readonly ILogger _logger;
    private readonly byte[] _mac;
    private readonly LibPcapLiveDevice _device;
    private readonly Thread _reader;
    private readonly object _sendGate = new();
    private volatile bool _stopping;

    private Layer2Responder(Layer2Interface iface, LibPcapLiveDevice device, Func<IPAddress, Layer2Candidate?> owner, Layer2Metrics metrics, ILogger logger)
    {
        _interface = iface;
        _device = device;
        _owner = owner;
        _metrics = metrics;
        _logger = logger;
        _mac = iface.Mac.GetAddressBytes();
        _reader = new Thread(Read) { IsBackground = true, Name = "layer2-" + iface.Name };
    }

    public Layer2Interface Interface => _interface;

    /// <summary>Opens the interface for capture and starts answering.</summary>
    public static Layer2Responder Start(Layer2Interface iface, Func<IPAddress, Layer2Candidate?> owner, Layer2Metrics metrics, ILogger logger)
    {
        var device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == iface.Name)
            ?? throw new InvalidOperationException($"libpcap does not list interface {iface.Name}");
        device.Open(new DeviceConfiguration { Mode = DeviceModes.None, ReadTimeout = 200, Snaplen = 256, Immediate = true });
        try
        {
            device.Filter = CaptureFilter;
        }
        catch
        {
            device.Close();
            throw;
        }
        var responder = new Layer2Responder(iface, device, owner, metrics, logger);
        responder._reader.Start();
        return responder;
    }

    private void Read()
    {
        Span<byte> reply = stackalloc byte[Layer2FrameWriter.AdvertisementFrameLength];
        while (!_stopping)
        {
            GetPacketStatus status;
            PacketCapture capture;
            try
            {
                status = _device.GetNextPacket(out capture);
            }
            catch (Exception e) when (e is PcapException or InvalidOperationException)
            {
                if (!_stopping)
                {
                    LogReadFailed(_logger, _interface.Name, e.Message);
                }
                return;
            }
            if (status != GetPacketStatus.PacketRead)
            {
                if (status == GetPacketStatus.Error)
                {
                    LogReadFailed(_logger, _interface.Name, "pcap read error");
                    return;
                }
                continue;
            }
            Handle(capture.Data, reply);
        }
    }

    /// <summary>Answers one captured frame when it asks for an owned address on this interface.</summary>
    internal void Handle(ReadOnlySpan<byte> frame, Span<byte> reply)
    {
        var length = Answer(frame, _interface, _mac, _owner, reply, out var request, out var drop);
        if (drop != Layer2Drop.None)
        {
            _metrics.Ignored(drop);
        }
        if (length == 0)
        {
            return;
        }
        var ip = request.Target.ToString();
        _metrics.RequestReceived(ip);
        if (Send(reply[..length]))
        {
            _metrics.ResponseSent(ip);
            LogAnswered(_logger, _interface.Name, ip, request.SenderAddress.ToString());
        }
    }

    /// <summary>
    /// The decision <see cref="Handle"/> acts on, without capture or send (the fuzz harness checks it): the
    /// length of the answer written to <paramref name="reply"/>, or 0 when the frame is dropped
    /// (<paramref name="drop"/> says why), asks for an address <paramref name="owner"/> does not give this
    /// interface, or asks in a protocol the interface does not speak.
    /// </summary>
    internal static int Answer(ReadOnlySpan<byte> frame, Layer2Interface iface, ReadOnlySpan<byte> mac, Func<IPAddress, Layer2Candidate?> owner,
        Span<byte> reply, out Layer2Request request, out Layer2Drop drop)
    {
        if (!Layer2Frame.TryRead(frame, mac, out request, out drop))
        {
            return 0;
        }
        if (request.Kind == Layer2RequestKind.ArpRequest && !iface.Arp || request.Kind == Layer2RequestKind.NeighborSolicitation && iface.LinkLocal is null)
        {
            return 0;
        }
        var candidate = owner(request.Target);
        if (candidate is null || !candidate.Allows(iface.Name))
        {
            return 0;
        }
        return request.Kind == Layer2RequestKind.ArpRequest
            ? Layer2FrameWriter.ArpReply(reply, mac, request)
            : Layer2FrameWriter.SolicitedAdvertisement(reply, mac, request);
    }

    /// <summary>Gratuitous ARP (request and reply) or an unsolicited Neighbor Advertisement for a taken-over address.</summary>
    public void SendGratuitous(IPAddress address)
    {
        Span<byte> frame = stackalloc byte[Layer2FrameWriter.AdvertisementFrameLength];
        var ip = address.ToString();
        if (address.AddressFamily == AddressFamily.InterNetwork && _interface.Arp)
        {
            foreach (var reply in (ReadOnlySpan<bool>)[false, true])
            {
                if (Send(frame[..Layer2FrameWriter.GratuitousArp(frame, _mac, address, reply)]))
                {
                    _metrics.GratuitousSent(ip);
                }
            }
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && _interface.Ndp)
        {
            if (Send(frame[..Layer2FrameWriter.UnsolicitedAdvertisement(frame, _mac, address)]))
            {
                _metrics.GratuitousSent(ip);
            }
        }
    }

    private bool Send(ReadOnlySpan<byte> frame)
    {
        try
        {
            lock (_sendGate)
            {
                _device.SendPacket(frame);
            }
            return true;
        }
        catch (Exception e) when (e is PcapException or InvalidOperationException)
        {
            LogSendFailed(_logger, _interface.Name, e.Message);
            return false;
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _reader.Join(TimeSpan.FromSeconds(2));
        _device.Close();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Layer 2: answered {Interface} request for {Address} from {Sender}")]
    private static partial void LogAnswered(ILogger logger, string @interface, string address, string sender);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Layer 2: reading {Interface} failed: {Error}")]
    private static partial void LogReadFailed(ILogger logger, string @interface, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Layer 2: sending on {Interface} failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string @interface, string error);
}
