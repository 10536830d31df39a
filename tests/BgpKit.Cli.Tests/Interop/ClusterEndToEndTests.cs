using System.Diagnostics;
using System.Text.Json.Nodes;
using BgpKit.BgpKit.Cli.Tests.Speaker;
using BgpKit.TestSupport;
using Xunit.Abstractions;

namespace BgpKit.BgpKit.Cli.Tests.Interop;

/// <summary>
/// The end-to-end scenario, with every part a real process: two <c>bgpkit controller</c> replicas, two
/// <c>bgpkit speaker</c>s (node-1, node-2, each in its own network namespace) and FRR as the router, around the
/// fake API server (see <see cref="ClusterFixture"/>). A Service appears, the leader writes its address, both
/// speakers announce it and FRR holds two paths; the leader is stopped (SIGTERM, then SIGKILL) and frozen past its
/// lease (SIGSTOP), and the other takes over with no address changed and nothing written by the frozen one once
/// resumed; after a restart of everything the addresses are the same. A Service whose requested address is refused
/// gets an <c>AllocationFailed</c> Event and no announcement. Every wait is bounded; timings go to the test output.
/// </summary>
[Trait("Category", "Interop")]
public sealed class ClusterEndToEndTests : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(90);   // dotnet processes starting on a loaded 2-core machine
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(45);
    // A lease taken over on expiry: lease duration, then up to one retry period, plus how late the follower saw
    // the last renewal (one retry period); the rest is slack for a loaded machine.
    private static readonly TimeSpan ExpiryTakeover = ClusterFixture.LeaseDuration + ClusterFixture.RetryPeriod * 2 + TimeSpan.FromSeconds(4);

    private readonly ClusterFixture _cluster;
    private readonly ITestOutputHelper _output;

    public ClusterEndToEndTests(ClusterFixture cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    [Fact]
    public async Task Leader_writes_both_nodes_announce_and_failover_freeze_and_restart_change_no_address()
    {
        var c = _cluster;
        c.EnsureRunning();

        // (1) The leader writes web's address; both speakers announce it; FRR holds a path from each node.
        var leader = await LeaderAsync(Start);
        var web = await Poll.ForAsync(() => c.Api.Ingress("default", "web"), a => a.Length == 1, "web's ingress", Start).WithText(c.Logs);
        var webWriters = StatusWriters("web");
        Assert.Equal([leader], webWriters.Distinct());
        await PathsAsync(web[0], Start);
        Note($"leader {leader}, web {web[0]}, two paths at FRR");

        // (2a) SIGTERM the leader: it releases the Lease (holderIdentity ""), so the other takes over at its next
        // retry, well before the lease would expire; web keeps its address.
        var first = c.IndexOf(leader);
        var other = 1 - first;
        var stopped = Stopwatch.GetTimestamp();
        c.Controller(first).Terminate();
        Assert.True(c.Controller(first).WaitForExit(TimeSpan.FromSeconds(30)), "the leader did not stop on SIGTERM");
        Assert.Equal(0, c.Controller(first).ExitCode);
        var release = LeaseWrites(leader).LastOrDefault(r => r.Arrived >= stopped);
        Assert.True(release is not null, "no Lease update from the leader after SIGTERM (the release)");
        await Poll.UntilAsync(() => c.LeaseHolder() == ClusterFixture.Identities[other], "the other replica to take the released Lease", Settle).WithText(c.Logs);
        Note($"SIGTERM -> {ClusterFixture.Identities[other]} holds the Lease: {ClusterFixture.Since(stopped).TotalMilliseconds:0} ms (process exit included)");
        // Timed at the API server, from the release to the other's acquisition, so that a slow process exit on a
        // loaded machine does not count.
        var handover = Between(release, LeaseWrites(ClusterFixture.Identities[other]).First(r => r.Arrived > release.Arrived));
        Note($"release -> acquisition at the API server: {handover.TotalMilliseconds:0} ms");
        Assert.True(handover < ClusterFixture.LeaseDuration, $"a released Lease should be taken before it could expire ({ClusterFixture.LeaseDuration}), took {handover}");
        await Poll.UntilAsync(() => c.ControllerView(other)["leading"]!.GetValue<bool>(), "the new leader to lead", Settle).WithText(c.Logs);
        Assert.Equal(web, c.Api.Ingress("default", "web"));

        // (2b) The old leader comes back as a follower; then SIGKILL the new leader: no release, so the follower takes
        // over once the lease expires; web keeps its address.
        c.StartController(first);
        await Poll.UntilAsync(() => c.ControllerView(first)["leader"]?.GetValue<string>() == ClusterFixture.Identities[other]
            && c.ControllerView(first)["configValid"]?.GetValue<bool>() == true, "the restarted replica to follow", Start).WithText(c.Logs);
        var killed = Stopwatch.GetTimestamp();
        c.Controller(other).Kill();
        await Poll.UntilAsync(() => c.LeaseHolder() == ClusterFixture.Identities[first], "the follower to take the expired Lease", Settle).WithText(c.Logs);
        var takeover = ClusterFixture.Since(killed);
        Note($"SIGKILL -> {ClusterFixture.Identities[first]} holds the Lease: {takeover.TotalMilliseconds:0} ms (lease {ClusterFixture.LeaseDuration.TotalSeconds} s, retry {ClusterFixture.RetryPeriod.TotalSeconds} s)");
        Assert.True(takeover < ExpiryTakeover, $"takeover after SIGKILL took {takeover}, more than {ExpiryTakeover}");
        // At the API server: the killed leader's last renewal to the follower's acquisition is the lease duration
        // (plus up to a retry period each for noticing the last renewal and for trying again), never less than the
        // renew deadline after which the killed leader would have stopped writing.
        var lastBeforeKill = LeaseWrites(ClusterFixture.Identities[other]).Last(r => r.Arrived < killed);
        var expiry = Between(lastBeforeKill, LeaseWrites(ClusterFixture.Identities[first]).First(r => r.Arrived > killed));
        Note($"killed leader's last renewal -> the follower's acquisition: {expiry.TotalMilliseconds:0} ms");
        Assert.InRange(expiry, ClusterFixture.RenewDeadline, ExpiryTakeover);
        await Poll.UntilAsync(() => c.ControllerView(first)["leading"]!.GetValue<bool>(), "the follower to lead", Settle).WithText(c.Logs);
        Assert.Equal(web, c.Api.Ingress("default", "web"));
        Assert.Equal(webWriters.Length, StatusWriters("web").Length);

        // (3) Freeze the leader past its lease; the other (restarted) takes over and allocates web2, created meanwhile.
        c.StartController(other);
        await Poll.UntilAsync(() => c.ControllerView(other)["leader"]?.GetValue<string>() == ClusterFixture.Identities[first]
            && c.ControllerView(other)["configValid"]?.GetValue<bool>() == true, "the restarted replica to follow", Start).WithText(c.Logs);
        var frozenName = ClusterFixture.Identities[first];
        var frozen = c.Controller(first);
        var froze = Stopwatch.GetTimestamp();
        frozen.Freeze();
        await Poll.UntilAsync(() => c.LeaseHolder() == ClusterFixture.Identities[other], "the other replica to take the frozen leader's Lease", Settle).WithText(c.Logs);
        Note($"SIGSTOP -> {ClusterFixture.Identities[other]} holds the Lease: {ClusterFixture.Since(froze).TotalMilliseconds:0} ms");
        // No overlap: the other acquired only after the frozen leader's own write guard (renew deadline from its last
        // accepted renewal) had closed, timed at the API server.
        var lastRenewal = LeaseWrites(frozenName).Last(r => r.Arrived < froze);
        var gap = Between(lastRenewal, LeaseWrites(ClusterFixture.Identities[other]).First(r => r.Arrived > froze));
        Note($"frozen leader's last renewal -> the other's acquisition: {gap.TotalMilliseconds:0} ms");
        Assert.True(gap > ClusterFixture.RenewDeadline, $"the Lease changed hands {gap} after the frozen leader's last renewal, inside its renew deadline");
        c.PutService("web2");
        var web2 = await Poll.ForAsync(() => c.Api.Ingress("default", "web2"), a => a.Length == 1, "web2's ingress", Settle).WithText(c.Logs);
        Assert.Equal([ClusterFixture.Identities[other]], StatusWriters("web2").Distinct());
        // web3 appears just before the frozen one resumes: it may see web3 without an address, the case in which
        // a replica that still believed it led would allocate and write.
        c.PutService("web3");
        var resumed = Stopwatch.GetTimestamp();
        frozen.Thaw();
        var web3 = await Poll.ForAsync(() => c.Api.Ingress("default", "web3"), a => a.Length == 1, "web3's ingress", Settle).WithText(c.Logs);
        // The resumed replica has run again: its view knows the new leader and both new Services, and its elector
        // has read the Lease at least twice since it resumed.
        await Poll.UntilAsync(() => c.ControllerView(first) is var v && v["leader"]?.GetValue<string>() == ClusterFixture.Identities[other]
            && !v["leading"]!.GetValue<bool>() && ClusterFixture.ServiceAddresses(v["services"], "web2") is [_] && ClusterFixture.ServiceAddresses(v["services"], "web3") is [_]
            && c.Api.Audit.Count(r => r.User == frozenName && r.Method == "GET" && r.Path.EndsWith("/leases/bgpkit-controller", StringComparison.Ordinal) && r.Arrived > resumed) >= 2,
            "the resumed replica to follow the new leader", Settle).WithText(c.Logs);
        var afterResume = c.Api.Audit.Where(r => r.User == frozenName && r.IsWrite && r.Arrived > resumed).ToArray();
        Assert.True(afterResume.Length == 0, "the resumed replica wrote: " + string.Join("; ", afterResume.Select(r => $"{r.Method} {r.Path} -> {r.Code}")));
        Assert.DoesNotContain(c.Events(), e => e!["reportingInstance"]?.GetValue<string>() == frozenName
            && e["involvedObject"]!["name"]!.GetValue<string>() is "web2" or "web3");
        Assert.Equal([ClusterFixture.Identities[other]], StatusWriters("web3").Distinct());
        Assert.Equal(web, c.Api.Ingress("default", "web"));
        foreach (var address in new[] { web[0], web2[0], web3[0] })
        {
            await PathsAsync(address, Settle);
        }
        Note($"web2 {web2[0]}, web3 {web3[0]} by {ClusterFixture.Identities[other]}; {frozenName} wrote nothing after SIGCONT");

        // (4) Restart everything: the same addresses, nothing rewritten, both nodes announce them again over new
        // sessions (FRR counts each Established; paths kept stale across a restart would not prove it).
        var sessions = new[] { c.EstablishedCount(0), c.EstablishedCount(1) };
        Assert.DoesNotContain(null, sessions);
        c.TerminateAll();
        var restarted = Stopwatch.GetTimestamp();
        for (var i = 0; i < 2; i++)
        {
            c.StartController(i);
            c.StartSpeaker(i);
        }
        var newLeader = await LeaderAsync(Start);
        await Poll.UntilAsync(() => c.ControllerView(c.IndexOf(newLeader)) is var v && v["leading"]!.GetValue<bool>()
            && ClusterFixture.ServiceAddresses(v["services"], "web3") is [_], "the new leader's allocation", Settle).WithText(c.Logs);
        var view = c.ControllerView(c.IndexOf(newLeader))["services"];
        Assert.Equal(web, ClusterFixture.ServiceAddresses(view, "web"));
        Assert.Equal(web2, ClusterFixture.ServiceAddresses(view, "web2"));
        Assert.Equal(web3, ClusterFixture.ServiceAddresses(view, "web3"));
        await Poll.UntilAsync(() => c.EstablishedCount(0) > sessions[0] && c.EstablishedCount(1) > sessions[1],
            "FRR's sessions with both restarted speakers Established again", Start).WithText(c.Logs);
        foreach (var address in new[] { web[0], web2[0], web3[0] })
        {
            await PathsAsync(address, Start);
        }
        Assert.Equal(web, c.Api.Ingress("default", "web"));
        Assert.Equal(web2, c.Api.Ingress("default", "web2"));
        Assert.Equal(web3, c.Api.Ingress("default", "web3"));
        var rewritten = c.Api.Audit.Where(r => r.IsWrite && r.Arrived > restarted && r.Path.StartsWith("/api/v1/namespaces/default/services/", StringComparison.Ordinal)).ToArray();
        Assert.True(rewritten.Length == 0, "Services written after the restart: " + string.Join("; ", rewritten.Select(r => $"{r.User} {r.Method} {r.Path}")));
        Note($"restart -> leader {newLeader}, same addresses, two paths each: {ClusterFixture.Since(restarted).TotalMilliseconds:0} ms");
        NothingForbidden();
    }

    /// <summary>Everything the processes sent was inside deploy/bgpkit.yaml's RBAC for their role.</summary>
    private void NothingForbidden() =>
        Assert.True(_cluster.Denials.IsEmpty, "requests outside the rendered RBAC: " + string.Join("; ", _cluster.Denials));

    [Fact]
    public async Task A_refused_requested_address_gets_an_AllocationFailed_event_and_no_announcement()
    {
        var c = _cluster;
        c.EnsureRunning();
        await LeaderAsync(Start);
        c.PutService("refused", requested: "203.0.113.99");

        var failed = await Poll.ForAsync(() => c.Events().FirstOrDefault(e => e!["involvedObject"]!["name"]!.GetValue<string>() == "refused"
            && e["reason"]?.GetValue<string>() == "AllocationFailed"), e => e is not null, "an AllocationFailed Event for refused", Start).WithText(c.Logs);
        Assert.Equal("Warning", failed!["type"]!.GetValue<string>());
        Assert.Contains("203.0.113.99", failed["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Note("AllocationFailed: " + failed["message"]);

        // Both speakers have read the Service (it is in the plan they apply, without an address) ...
        for (var i = 0; i < 2; i++)
        {
            var node = i;
            await Poll.UntilAsync(() => ClusterFixture.ServiceAddresses(c.SpeakerConfig(node)["inForce"]?["services"], "refused") is [],
                $"node-{node + 1}'s speaker to see the refused Service", Start).WithText(c.Logs);
        }
        // ... and FRR holds no route for it, and from each node exactly the routes of the Services that have an address.
        Assert.Empty(c.Api.Ingress("default", "refused"));
        Assert.Empty(c.PathsAtRouter("203.0.113.99/32"));
        var allocated = new[] { "web", "web2", "web3" }.Count(s => c.Api.Get("v1", "services", "default", s) is not null && c.Api.Ingress("default", s).Length == 1);
        await Poll.UntilAsync(() => c.Nodes.All(n => c.Frr.PrefixesReceived(n.Address.ToString()) == allocated),
            $"FRR to hold {allocated} routes from each node", Start).WithText(c.Logs);
        Assert.Empty(c.PathsAtRouter("203.0.113.99/32"));
        NothingForbidden();
    }

    [Fact]
    public async Task BGPSessionState_shows_both_sessions_Established_and_follows_a_frozen_router_down_and_back()
    {
        var c = _cluster;
        c.EnsureRunning();
        await Poll.UntilAsync(() => c.SessionStatesByNode() is ["Established", "Established"], "both nodes' BGPSessionState Established", Start).WithText(c.Logs);
        var session = c.SessionStates().First(o => o!["status"]?["node"]?.GetValue<string>() == "node-1")!;
        Assert.Equal(c.RouterAddress.ToString(), session["status"]!["peer"]!.GetValue<string>());
        Assert.Equal("N/A", session["status"]!["bfdStatus"]!.GetValue<string>());
        Assert.Equal("node-1", session["metadata"]!["labels"]!["frrk8s.metallb.io/node"]!.GetValue<string>());
        Assert.Equal("Node", session["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());

        // A frozen router answers nothing: after the hold time (9 s) each speaker's session goes down, and so does its object.
        c.Frr.Freeze();
        try
        {
            await Poll.UntilAsync(() => c.SessionStatesByNode().All(s => s is not null and not "Established"), "both BGPSessionStates to leave Established", Start).WithText(c.Logs);
        }
        finally
        {
            c.Frr.Thaw();
        }
        await Poll.UntilAsync(() => c.SessionStatesByNode() is ["Established", "Established"], "both BGPSessionStates Established again", Start).WithText(c.Logs);
        Assert.Equal(2, c.SessionStates().Count); // updated in place: one object per session, never a second
        NothingForbidden();
    }

    /// <summary>Waits until the Lease names one replica and that replica says it leads; returns its identity.</summary>
    private async Task<string> LeaderAsync(TimeSpan timeout)
    {
        var c = _cluster;
        var leader = await Poll.ForAsync(() => c.LeaseHolder(), h => h is not null && c.IndexOf(h) >= 0
            && c.ControllerView(c.IndexOf(h))["leading"]!.GetValue<bool>(), "a leader", timeout).WithText(c.Logs);
        return leader!;
    }

    /// <summary>The Lease writes (create, update) the API server accepted from <paramref name="identity"/>, in arrival order.</summary>
    private AuditRecord[] LeaseWrites(string identity) =>
        _cluster.Api.Audit.Where(r => r.User == identity && r.IsWrite && r.Accepted && r.Path.Contains("/namespaces/metallb-system/leases", StringComparison.Ordinal))
            .OrderBy(r => r.Arrived).ToArray();

    private static TimeSpan Between(AuditRecord from, AuditRecord to) => Stopwatch.GetElapsedTime(from.Arrived, to.Arrived);

    /// <summary>Who wrote a Service's status (accepted PATCH or PUT of services/NAME/status), in order.</summary>
    private string[] StatusWriters(string service) =>
        _cluster.Api.Audit.Where(r => r.IsWrite && r.Accepted && r.Path == $"/api/v1/namespaces/default/services/{service}/status").Select(r => r.User).ToArray();

    /// <summary>Waits until FRR holds one path from each node for <paramref name="address"/>/32.</summary>
    private Task PathsAsync(string address, TimeSpan timeout) =>
        Poll.UntilAsync(() => _cluster.PathsAtRouter(address + "/32").SequenceEqual(_cluster.BothNodes), $"FRR to hold a path from each node for {address}/32", timeout)
            .WithText(_cluster.Logs);

    private void Note(string line) => _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
}

internal static class PollValueText
{
    /// <summary>Adds <paramref name="describe"/>'s text (logs) to a polling timeout, keeping the value polled for.</summary>
    public static async Task<T> WithText<T>(this Task<T> poll, Func<string> describe)
    {
        T value = default!;
        await ((Task)Wrap()).WithText(describe);
        return value;

        async Task Wrap() => value = await poll;
    }
}
