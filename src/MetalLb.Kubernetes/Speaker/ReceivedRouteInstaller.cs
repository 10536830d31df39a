using System.Diagnostics.Metrics;
using System.Net;
using System.Threading.Channels;
using BgpKit.Bgp.Fsm.Kernel;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Speaker;

/// <summary>
/// Keeps the kernel's routing tables equal to the received routes selected by <see cref="ReceivedRouteSelection"/>:
/// level-triggered, as the reconciler is. Route and session events only <see cref="Wake"/> it; one loop reads the
/// Adj-RIBs-In whole, computes the table and lets <see cref="KernelRouteTable"/> write the difference, so a burst
/// of updates (or a flapping peer) costs one pass. At start it removes what a crashed earlier run left (every route
/// with our protocol); at <see cref="StopAsync"/> everything it installed. A refused route is logged with its
/// prefix and counted; it never stops the speaker.
/// </summary>
internal sealed partial class ReceivedRouteInstaller : IAsyncDisposable
{
    private readonly Func<IEnumerable<ReceivedRouteSelection.PeerRoutes>> _peers;
    private readonly ILogger _logger;
    private readonly IMeterFactory? _meterFactory;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Dictionary<string, uint?> _vrfTables = new(StringComparer.Ordinal);
    private KernelRouteTable? _table;
    private HashSet<string> _refused = new(StringComparer.Ordinal);
    private Task _loop = Task.CompletedTask;
    private CancellationTokenSource? _stop;

    public ReceivedRouteInstaller(Func<IEnumerable<ReceivedRouteSelection.PeerRoutes>> peers, ILogger logger, IMeterFactory? meterFactory)
    {
        _peers = peers;
        _logger = logger;
        _meterFactory = meterFactory;
    }

    /// <summary>Opens rtnetlink, removes a previous run's routes and starts the loop; false (logged) when the kernel cannot be reached.</summary>
    public bool Start()
    {
        try
        {
            _table = new KernelRouteTable(new KernelRouteTableOptions { MeterFactory = _meterFactory });
            var stale = _table.Flush();
            LogStarted(_logger, _table.Protocol, stale);
        }
        catch (KernelRouteException e)
        {
            LogUnavailable(_logger, e.Message);
            _table?.Dispose();
            _table = null;
            return false;
        }
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        return true;
    }

    /// <summary>Something changed (a route, a session, a peer's settings): recompute soon. Never blocks.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Forgets the VRF tables looked up (a VRF device may have been made or changed).</summary>
    public void ForgetVrfs()
    {
        lock (_vrfTables)
        {
            _vrfTables.Clear();
        }
        Wake();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                Synchronize();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Synchronize()
    {
        var table = _table!;
        try
        {
            var desired = ReceivedRouteSelection.Select(_peers(), VrfTable);
            var refused = new HashSet<string>(StringComparer.Ordinal);
            foreach (var error in table.Synchronize(desired))
            {
                // A refused route is tried again at every pass: say so once, not at every pass (they are all counted).
                if (refused.Add(error.Message) && !_refused.Contains(error.Message))
                {
                    LogRefused(_logger, error.Prefix?.ToString() ?? string.Empty, error.Table ?? 0, error.Errno, error.Message);
                }
            }
            _refused = refused;
        }
        catch (KernelRouteException e)
        {
            LogRefused(_logger, string.Empty, 0, e.Errno, e.Message);
        }
        catch (ObjectDisposedException)
        {
            // Stopped under us.
        }
    }

    private uint? VrfTable(string vrf)
    {
        lock (_vrfTables)
        {
            if (_vrfTables.TryGetValue(vrf, out var known))
            {
                return known;
            }
        }
        uint? table;
        try
        {
            table = _table!.LookupVrfTable(vrf);
        }
        catch (KernelRouteException e)
        {
            LogNoVrf(_logger, vrf, e.Message);
            table = null;
        }
        lock (_vrfTables)
        {
            _vrfTables[vrf] = table;
        }
        return table;
    }

    /// <summary>Stops the loop and removes every route it installed (every route with our protocol).</summary>
    public async ValueTask StopAsync()
    {
        if (_table is not { } table)
        {
            return;
        }
        if (_stop is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }
        await _loop.ConfigureAwait(false);
        try
        {
            var removed = table.Flush();
            LogRemoved(_logger, removed);
        }
        catch (KernelRouteException e)
        {
            LogUnavailable(_logger, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            _stop.Dispose();
            _stop = null;
        }
        _table?.Dispose();
        _table = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Installing received routes into the kernel with protocol {Protocol}; removed {Stale} left by an earlier run")]
    private static partial void LogStarted(ILogger logger, byte protocol, int stale);

    [LoggerMessage(Level = LogLevel.Error, Message = "Received routes are not installed into the kernel: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kernel refused route {Prefix} (table {Table}, errno {Errno}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string prefix, uint table, int errno, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routes received in VRF {Vrf} are not installed: {Reason}")]
    private static partial void LogNoVrf(ILogger logger, string vrf, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} received routes from the kernel")]
    private static partial void LogRemoved(ILogger logger, int count);
}
