using BgpKit.MetalLb.Kubernetes.Controller;
using BgpKit.Simulation.Api;
using BgpKit.Simulation.Scenario;

namespace BgpKit.Simulation;

/// <summary>The faults and edits a step draws from the seed, and the heal at the end of the fault phase.</summary>
internal sealed partial class Cluster
{
    private static readonly TimeSpan[] Delays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    /// <summary>Draws this step's faults and edits; returns extra time to add to the step (a clock jump).</summary>
    private TimeSpan DrawFaults()
    {
        var now = _time.GetTimestamp();
        var extra = TimeSpan.Zero;
        if (_rng.NextDouble() < 0.25)
        {
            ApplyEdit(Edits.Valid(_rng, _spec));
            Stats.Count("edit valid");
        }
        if (_spec.Broken is null && _rng.NextDouble() < 0.03)
        {
            ApplyEdit(Edits.Invalid(_rng, _spec));
            Stats.Count("edit invalid");
        }
        else if (_spec.Broken is not null && _rng.NextDouble() < 0.1)
        {
            ApplyEdit(Edits.Repair(_spec)!);
        }
        if (_rng.NextDouble() < 0.02)
        {
            var seconds = _rng.Next(1, 11);
            _server.UnavailableUntil = now + Ticks(TimeSpan.FromSeconds(seconds));
            Log($"fault: API server answers 500 for {seconds}s");
            Stats.Count("api 500 outage");
        }
        if (_rng.NextDouble() < 0.03)
        {
            _server.Compact();
            Log("fault: store compacted (watches get 410 Gone)");
            Stats.Count("compaction 410");
        }
        if (_rng.NextDouble() < 0.03)
        {
            var informer = RandomInformer();
            var delay = Delays[_rng.Next(Delays.Length)] * 3;
            informer.Informer.Delay = delay;
            Log($"fault: {informer.Name}'s watch delivers {delay.TotalSeconds}s late");
            Stats.Count("slow watch");
        }
        if (_rng.NextDouble() < 0.03)
        {
            var informer = RandomInformer();
            informer.Informer.RestartWatch();
            Log($"fault: {informer.Name}'s watch restarts");
            Stats.Count("watch restart");
        }
        var links = _network.Links.ToArray();
        if (_rng.NextDouble() < 0.04)
        {
            var link = links[_rng.Next(links.Length)];
            link.Cut(now);
            Log($"fault: link {link.Node}-{link.Router} cut");
            Stats.Count("partition");
        }
        foreach (var link in links.Where(l => !l.Up))
        {
            if (_rng.NextDouble() < 0.05)
            {
                link.Heal();
                Log($"link {link.Node}-{link.Router} healed");
            }
        }
        if (_rng.NextDouble() < 0.03)
        {
            var link = links[_rng.Next(links.Length)];
            link.Delay = Delays[_rng.Next(Delays.Length)];
            Log($"fault: link {link.Node}-{link.Router} delay {link.Delay.TotalSeconds}s");
            Stats.Count("link delay");
        }
        if (_rng.NextDouble() < 0.015)
        {
            RestartLeader();
        }
        if (_rng.NextDouble() < 0.025)
        {
            RestartSpeaker();
        }
        if (_rng.NextDouble() < 0.01)
        {
            var slot = _rng.Next(_controllers.Length);
            var seconds = _rng.Next(5, 31);
            if (_controllers[slot] is { } replica)
            {
                replica.PausedUntil = now + Ticks(TimeSpan.FromSeconds(seconds));
                Log($"fault: {replica.Identity} paused for {seconds}s");
                Stats.Count("controller pause");
            }
        }
        if (_rng.NextDouble() < 0.01)
        {
            extra = TimeSpan.FromSeconds(_rng.Next(10, 61));
            Log($"fault: clock jumps {extra.TotalSeconds}s");
            Stats.Count("clock jump");
        }
        return extra;
    }

    private (string Name, SimInformer Informer) RandomInformer()
    {
        var candidates = new List<(string, SimInformer)>();
        foreach (var c in _controllers)
        {
            if (c is not null)
            {
                candidates.Add((c.Identity, c.Informer));
            }
        }
        foreach (var (node, s) in _speakers)
        {
            if (s is not null)
            {
                candidates.Add((node, s.Informer));
            }
        }
        return candidates[_rng.Next(candidates.Count)];
    }

    /// <summary>The leader's process ends (gracefully: it releases the Lease; or killed) and its pod comes back as a new replica.</summary>
    private void RestartLeader()
    {
        var slot = Array.FindIndex(_controllers, c => c is not null && c.Leadership.MayWrite);
        if (slot < 0)
        {
            slot = _rng.Next(_controllers.Length);
        }
        var old = _controllers[slot]!;
        var graceful = _rng.Next(2) == 0;
        if (graceful)
        {
            old.Leadership.ReleaseAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        _controllers[slot] = NewController(slot);
        Log($"fault: {old.Identity} {(graceful ? "stopped (Lease released)" : "killed")}; {_controllers[slot]!.Identity} starts");
        Stats.Count(graceful ? "controller restart graceful" : "controller kill");
    }

    /// <summary>A speaker's process ends (graceful stop or SIGKILL) and starts again 1-5 s later from the store.</summary>
    private void RestartSpeaker()
    {
        var node = _speakers.Keys.ElementAt(_rng.Next(_speakers.Count));
        if (_speakers[node] is not { } speaker)
        {
            return;
        }
        var graceful = _rng.Next(2) == 0;
        if (graceful)
        {
            speaker.Reconciler.ShutdownAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        else
        {
            speaker.Backend.Crash();
        }
        _speakers[node] = null;
        _speakerStartAt[node] = _time.GetTimestamp() + Ticks(TimeSpan.FromSeconds(_rng.Next(1, 6)));
        Log($"fault: speaker on {node} {(graceful ? "stopped" : "killed")}");
        Stats.Count(graceful ? "speaker restart graceful" : "speaker kill");
    }

    private int? WriteFault(ClusterWrite write)
    {
        if (!_faults || _rng.NextDouble() >= 0.05)
        {
            return null;
        }
        var status = _rng.Next(2) == 0 ? 409 : 500;
        Log($"fault: {status} on {write.GetType().Name}");
        Stats.Count($"write {status}");
        return status;
    }

    /// <summary>Every fault ends: links up and fast, the API server answers, watches are prompt, paused and stopped processes run, the configuration is valid.</summary>
    private void Heal()
    {
        Log("heal: every fault ends");
        foreach (var link in _network.Links)
        {
            link.Heal();
            link.Delay = TimeSpan.Zero;
        }
        _server.UnavailableUntil = 0;
        if (Edits.Repair(_spec) is { } repair)
        {
            ApplyEdit(repair);
        }
        foreach (var c in _controllers)
        {
            if (c is not null)
            {
                c.PausedUntil = 0;
                c.Informer.Delay = TimeSpan.Zero;
            }
        }
        foreach (var (node, s) in _speakers)
        {
            if (s is not null)
            {
                s.Informer.Delay = TimeSpan.Zero;
            }
            else
            {
                _speakerStartAt[node] = 0;
            }
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
